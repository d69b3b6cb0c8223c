package io.runnel.io.net;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * The byte stage between a connection and its socket. Plaintext passes bytes straight through
 * (and file regions by {@code transferTo}); TLS will sit here, encrypting and decrypting, without
 * the frame or API layers knowing.
 */
public interface Transport extends AutoCloseable
{
    /** @return bytes read, 0 if none are available, -1 at end of stream. */
    int read(ByteBuffer target) throws IOException;

    /** @return bytes written; fewer than remaining when the socket is full. */
    int write(ByteBuffer source) throws IOException;

    /** Sends part of a file; @return bytes sent, possibly fewer than {@code count}. */
    long transferFrom(FileChannel file, long position, long count) throws IOException;

    @Override
    void close();
}
