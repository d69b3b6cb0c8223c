package io.runnel.kernel.log;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

/**
 * A small tmpfs mounted for one test, to run out of disk space for real (the tests run as root, as
 * the CI does). Mounting fails the test with the reason rather than skipping it.
 */
final class Tmpfs implements AutoCloseable
{
    private static final int PAGE = 4096;
    private final Path dir;

    private Tmpfs(final Path dir)
    {
        this.dir = dir;
    }

    static Tmpfs mount(final Path dir, final int sizeKiB)
    {
        run("mount", "-t", "tmpfs", "-o", "size=" + sizeKiB + "k", "tmpfs", dir.toString());
        return new Tmpfs(dir);
    }

    Path dir()
    {
        return dir;
    }

    /**
     * Fills the file system with {@code filler} until a write fails, then gives back
     * {@code freePages} whole pages of it: what is left free is exactly that.
     */
    void fill(final Path filler, final int freePages)
    {
        final ByteBuffer page = ByteBuffer.allocateDirect(PAGE);
        long size = 0;
        try (FileChannel channel = FileChannel.open(filler, StandardOpenOption.CREATE, StandardOpenOption.WRITE))
        {
            for (int i = 0; i < 1 << 20; i++)
            {
                page.clear();
                try
                {
                    size += channel.write(page, size);
                }
                catch (final IOException full)
                {
                    break;
                }
            }
            channel.truncate(size / PAGE * PAGE - (long)freePages * PAGE);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    @Override
    public void close()
    {
        run("umount", dir.toString());
    }

    private static void run(final String... command)
    {
        try
        {
            final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            final boolean exited = process.waitFor(30, TimeUnit.SECONDS);
            final String output = new String(process.getInputStream().readAllBytes());
            if (!exited || process.exitValue() != 0)
            {
                throw new IllegalStateException(String.join(" ", command) + " failed (the test needs root to mount a tmpfs): " + output);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(String.join(" ", command) + " could not run", ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }
}
