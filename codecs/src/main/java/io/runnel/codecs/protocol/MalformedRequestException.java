package io.runnel.codecs.protocol;

/** A request whose bytes do not follow its schema; the connection that sent it is closed. */
public final class MalformedRequestException extends RuntimeException
{
    public MalformedRequestException(final String message)
    {
        super(message, null, false, false);
    }
}
