package io.runnel.broker.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A file system whose fsync fails for real: ext4 on a loop device whose image is a sparse file on
 * a much smaller tmpfs. Writes succeed into the page cache; once the tmpfs is full, writeback
 * fails, the fsync waiting for it returns EIO and ext4 aborts its journal (read-only from then on).
 * {@link #repair} gives the image room, checks it and mounts it again, as an operator would after
 * replacing a disk. Needs root, loop devices and mkfs.ext4, as the CI has; failing to set it up
 * fails the test with the reason.
 */
public final class FsyncFailingDisk implements AutoCloseable
{
    private final Path backing;
    private final Path mountPoint;
    private final Path image;
    private String loopDevice;
    private boolean mounted;

    private FsyncFailingDisk(final Path root) throws IOException
    {
        this.backing = Files.createDirectories(root.resolve("backing"));
        this.mountPoint = Files.createDirectories(root.resolve("fs"));
        this.image = backing.resolve("disk.img");
    }

    /** @param backingMiB real space behind the image; the ext4 on it believes it has 64 MiB */
    public static FsyncFailingDisk mount(final Path root, final int backingMiB) throws IOException
    {
        final FsyncFailingDisk disk = new FsyncFailingDisk(root);
        run("mount", "-t", "tmpfs", "-o", "size=" + backingMiB + "m", "tmpfs", disk.backing.toString());
        try
        {
            run("truncate", "-s", "64M", disk.image.toString());
            run("mkfs.ext4", "-q", "-F", disk.image.toString());
            disk.attach();
        }
        catch (final RuntimeException ex)
        {
            disk.close();
            throw ex;
        }
        return disk;
    }

    public Path dir()
    {
        return mountPoint;
    }

    /** Unmounts the failed file system, gives the image room for all of it, repairs it (e2fsck) and mounts it again. */
    public void repair()
    {
        detach();
        run("mount", "-o", "remount,size=80m", backing.toString());
        loopDevice = run("losetup", "-f", "--show", image.toString()).trim();
        // 0: clean, 1: errors corrected; the aborted journal makes 1 the usual answer.
        final int fsck = exitCode("e2fsck", "-fy", loopDevice);
        if (fsck > 1)
        {
            throw new IllegalStateException("e2fsck could not repair " + image + ": exit code " + fsck);
        }
        run("mount", loopDevice, mountPoint.toString());
        mounted = true;
    }

    private void attach()
    {
        loopDevice = run("losetup", "-f", "--show", image.toString()).trim();
        run("mount", loopDevice, mountPoint.toString());
        mounted = true;
    }

    private void detach()
    {
        if (mounted)
        {
            run("umount", mountPoint.toString());
            mounted = false;
        }
        if (loopDevice != null)
        {
            run("losetup", "-d", loopDevice);
            loopDevice = null;
        }
    }

    @Override
    public void close()
    {
        try
        {
            detach();
        }
        finally
        {
            run("umount", backing.toString());
        }
    }

    private static String run(final String... command)
    {
        final StringBuilder output = new StringBuilder();
        final int exit = execute(output, command);
        if (exit != 0)
        {
            throw new IllegalStateException(String.join(" ", command) + " failed (exit " + exit + "): " + output);
        }
        return output.toString();
    }

    private static int exitCode(final String... command)
    {
        return execute(new StringBuilder(), command);
    }

    private static int execute(final StringBuilder output, final String... command)
    {
        try
        {
            final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            final boolean exited = process.waitFor(60, TimeUnit.SECONDS);
            output.append(new String(process.getInputStream().readAllBytes()));
            if (!exited)
            {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish in 60 s");
            }
            return process.exitValue();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(String.join(" ", command) + " could not run (the test needs root, loop devices and "
                + "mkfs.ext4)", ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }
}
