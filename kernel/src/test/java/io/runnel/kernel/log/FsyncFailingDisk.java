package io.runnel.kernel.log;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A file system whose fsync fails for real: ext4 on a loop device whose image is a sparse file
 * on a much smaller tmpfs. Writes succeed into the page cache (ext4 believes it has room); once the
 * tmpfs is full, writeback fails, the fsync that waits for it returns EIO and ext4 aborts its
 * journal (the file system turns read-only, so a truncate fails as well). Needs root, as the CI has.
 */
final class FsyncFailingDisk implements AutoCloseable
{
    private final Path backing;
    private final Path mountPoint;
    private String loopDevice;

    private FsyncFailingDisk(final Path backing, final Path mountPoint)
    {
        this.backing = backing;
        this.mountPoint = mountPoint;
    }

    /** @param backingMiB real space behind the image; the ext4 on it believes it has 64 MiB */
    static FsyncFailingDisk mount(final Path root, final int backingMiB) throws IOException
    {
        final FsyncFailingDisk disk = new FsyncFailingDisk(Files.createDirectories(root.resolve("backing")),
            Files.createDirectories(root.resolve("fs")));
        run("mount", "-t", "tmpfs", "-o", "size=" + backingMiB + "m", "tmpfs", disk.backing.toString());
        try
        {
            final Path image = disk.backing.resolve("disk.img");
            run("truncate", "-s", "64M", image.toString());
            run("mkfs.ext4", "-q", "-F", image.toString());
            disk.loopDevice = run("losetup", "-f", "--show", image.toString()).trim();
            run("mount", disk.loopDevice, disk.mountPoint.toString());
        }
        catch (final RuntimeException ex)
        {
            disk.close();
            throw ex;
        }
        return disk;
    }

    Path dir()
    {
        return mountPoint;
    }

    @Override
    public void close()
    {
        RuntimeException failure = null;
        for (final String[] command : new String[][] {
            {"umount", mountPoint.toString()}, {"losetup", "-d", loopDevice == null ? "" : loopDevice}, {"umount", backing.toString()}})
        {
            if (command[command.length - 1].isEmpty())
            {
                continue;
            }
            try
            {
                run(command);
            }
            catch (final RuntimeException ex)
            {
                failure = failure == null ? ex : failure;
            }
        }
        if (failure != null)
        {
            throw failure;
        }
    }

    private static String run(final String... command)
    {
        try
        {
            final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            final boolean exited = process.waitFor(60, TimeUnit.SECONDS);
            final String output = new String(process.getInputStream().readAllBytes());
            if (!exited || process.exitValue() != 0)
            {
                throw new IllegalStateException(String.join(" ", command) + " failed (the test needs root, tmpfs, loop devices and "
                    + "mkfs.ext4): " + output);
            }
            return output;
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
