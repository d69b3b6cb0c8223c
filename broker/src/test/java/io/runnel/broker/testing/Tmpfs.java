package io.runnel.broker.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

/**
 * A small tmpfs mounted for one test, to run a broker out of disk space for real (the tests run as
 * root, as the CI does). A mount that fails fails the test with the reason; nothing is skipped.
 */
public final class Tmpfs implements AutoCloseable
{
    private static final int CHUNK = 64 * 1024;
    private final Path dir;

    private Tmpfs(final Path dir)
    {
        this.dir = dir;
    }

    public static Tmpfs mount(final Path dir, final int sizeMiB)
    {
        run("mount", "-t", "tmpfs", "-o", "size=" + sizeMiB + "m", "tmpfs", dir.toString());
        return new Tmpfs(dir);
    }

    public Path dir()
    {
        return dir;
    }

    /** Writes a file of {@code bytes} zeros (real pages, not a hole), to take that much space; a full disk ends it early. */
    public Path filler(final String name, final long bytes)
    {
        final Path file = dir.resolve(name);
        final ByteBuffer zeros = ByteBuffer.allocateDirect(CHUNK);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))
        {
            long written = 0;
            while (written < bytes)
            {
                zeros.clear().limit((int)Math.min(CHUNK, bytes - written));
                written += channel.write(zeros, written);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write filler " + file, ex);
        }
        return file;
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
