package io.runnel.io.api;

import java.util.function.Consumer;

/**
 * Test hooks into request handling: a test sets one to make a handler fail the way a bug would,
 * and checks the client still gets an answer. Both are null in production (one volatile read per
 * request).
 */
public final class FaultHooks
{
    private volatile Consumer<RequestContext> beforeHandler;

    /** Runs on the connection's shard just before the API's handler; may throw. */
    public void beforeHandler(final Consumer<RequestContext> hook)
    {
        this.beforeHandler = hook;
    }

    /** Called by the router before each handler. */
    public void runBeforeHandler(final RequestContext context)
    {
        final Consumer<RequestContext> hook = beforeHandler;
        if (hook != null)
        {
            hook.accept(context);
        }
    }
}
