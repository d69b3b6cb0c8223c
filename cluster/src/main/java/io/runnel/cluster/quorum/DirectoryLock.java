package io.runnel.cluster.quorum;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive lock on a node's quorum folder, held while the node runs. The operating system
 * drops it when the process dies (kill -9 included), so holding it proves that whatever the
 * folder's mark files say, nobody else is using them.
 */
final class DirectoryLock implements AutoCloseable
{
    static final String FILE_NAME = "quorum.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private DirectoryLock(final FileChannel channel, final FileLock lock)
    {
        this.channel = channel;
        this.lock = lock;
    }

    /** @throws IllegalStateException another live node (in this process or another) holds it */
    static DirectoryLock acquire(final File dir)
    {
        if (!dir.isDirectory() && !dir.mkdirs())
        {
            throw new UncheckedIOException(new IOException("cannot create the quorum folder " + dir));
        }
        final File file = new File(dir, FILE_NAME);
        FileChannel channel = null;
        try
        {
            channel = FileChannel.open(file.toPath(), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            final FileLock lock = channel.tryLock();
            if (null == lock)
            {
                throw inUse(dir);
            }
            return new DirectoryLock(channel, lock);
        }
        catch (final OverlappingFileLockException ex)
        {
            closeQuietly(channel);
            throw inUse(dir);
        }
        catch (final IOException ex)
        {
            closeQuietly(channel);
            throw new UncheckedIOException("cannot lock " + file, ex);
        }
        catch (final RuntimeException ex)
        {
            closeQuietly(channel);
            throw ex;
        }
    }

    @Override
    public void close()
    {
        try
        {
            lock.release();
            channel.close();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static IllegalStateException inUse(final File dir)
    {
        return new IllegalStateException("another controller node is running on " + dir);
    }

    private static void closeQuietly(final FileChannel channel)
    {
        if (null != channel)
        {
            try
            {
                channel.close();
            }
            catch (final IOException ignore)
            {
                // the lock attempt's own error is the one worth reporting
            }
        }
    }
}
