package io.runnel.bench.jmh;

/** JVM flags every forked benchmark JVM gets (through {@code @Fork(jvmArgsAppend = ...)}). */
final class JvmArgs
{
    /**
     * Agrona 2.x reaches {@code jdk.internal.misc.Unsafe} directly; without this export the first
     * touch of {@code UnsafeBuffer}/{@code BufferUtil} fails with IllegalAccessError.
     */
    static final String EXPORT_MISC = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED";
    /**
     * {@code org.agrona.checksum.Crc32c} (used by BatchChecksum for off-heap buffers) calls the JDK's
     * private {@code CRC32C.updateDirectByteBuffer} reflectively; without this the first CRC of a
     * direct buffer throws InaccessibleObjectException.
     */
    static final String OPEN_ZIP = "--add-opens=java.base/java.util.zip=ALL-UNNAMED";
    /** A fixed heap, so that GC sizing does not differ from machine to machine. */
    static final String XMS = "-Xms2g";
    static final String XMX = "-Xmx2g";

    private JvmArgs()
    {
    }
}
