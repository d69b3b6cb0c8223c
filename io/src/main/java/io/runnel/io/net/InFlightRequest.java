package io.runnel.io.net;

/**
 * A request a connection has read and must answer in order: the connection writes responses
 * strictly in registration order, each once its request stops {@link #isAwaitingResponse awaiting}
 * one.
 */
public interface InFlightRequest
{
    /** True until the request is answered or finished without an answer. */
    boolean isAwaitingResponse();

    /** The response to write, or null for a request that gets none (produce with acks=0). */
    ResponseSend send();
}
