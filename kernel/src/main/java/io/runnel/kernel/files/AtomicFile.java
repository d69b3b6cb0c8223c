package io.runnel.kernel.files;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Properties;

/**
 * Replaces a small metadata file (a topic's registry entry, a checkpoint, the producer-id block,
 * the dynamic broker configs) so that a crash at any moment leaves either the old contents or the
 * new, never a torn mix: the new bytes go to {@code <name>.tmp}, are forced to disk, and the
 * temporary file is renamed over the old one; then the directory is forced, so the rename itself
 * survives a power loss. Loaders delete stray {@code .tmp} files.
 */
public final class AtomicFile
{
    public static final String TEMP_SUFFIX = ".tmp";

    private AtomicFile()
    {
    }

    /**
     * @param what what the file is, for the exception's message ("topic orders", "the log start offset checkpoint")
     * @throws UncheckedIOException if any step fails; the old file is then as it was
     */
    public static void write(final Path target, final byte[] contents, final String what)
    {
        final Path temporary = target.resolveSibling(target.getFileName() + TEMP_SUFFIX);
        try
        {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING))
            {
                final ByteBuffer buffer = ByteBuffer.wrap(contents);
                while (buffer.hasRemaining())
                {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            forceDirectory(target.toAbsolutePath().getParent());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write " + what + " to " + target, ex);
        }
    }

    /** As {@link #write(Path, byte[], String)}, for a properties file with a comment line. */
    public static void write(final Path target, final Properties properties, final String comment, final String what)
    {
        final StringWriter text = new StringWriter();
        try
        {
            properties.store(text, comment);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot render " + what, ex);
        }
        write(target, text.toString().getBytes(StandardCharsets.UTF_8), what);
    }

    /** Makes a rename or a new file in {@code dir} durable (Linux: fsync of the directory). */
    private static void forceDirectory(final Path dir) throws IOException
    {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ))
        {
            channel.force(true);
        }
        catch (final IOException ex)
        {
            // Some file systems cannot open a directory for reading; the rename is then as durable as they make it.
            if (!Files.isDirectory(dir))
            {
                throw ex;
            }
        }
    }
}
