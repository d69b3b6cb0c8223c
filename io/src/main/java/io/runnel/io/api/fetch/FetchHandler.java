package io.runnel.io.api.fetch;

import io.runnel.codecs.protocol.ControlMessages;
import io.runnel.io.api.ApiShard;
import io.runnel.io.api.BrokerServices;
import io.runnel.io.api.RequestContext;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * Fetch: the request (small, one per poll) is read with kafka-clients' message class; the
 * response is our own encoding around zero-copy file regions (see {@link FetchOperation}).
 * Fetch sessions (KIP-227) live in this shard's {@link FetchSessionCache}: a connection stays on
 * one shard, so its sessions need no lock; a session id from another shard is not found here and
 * the client falls back to a full fetch, as it does after any session error.
 */
public final class FetchHandler
{
    private final ApiShard local;
    private final BrokerServices services;
    private final FetchSessionCache sessions;

    public FetchHandler(final ApiShard local, final BrokerServices services)
    {
        this.local = local;
        this.services = services;
        this.sessions = new FetchSessionCache(services.config().fetchSessionCacheSlots(), local.id(), services.logManager().shardCount());
    }

    public void handle(final RequestContext context)
    {
        final FetchRequestData request = (FetchRequestData)ControlMessages.readRequest(ApiKeys.FETCH, context.apiVersion(), context.body());
        new FetchOperation(context, local, services, sessions, request).start(local.nowMs());
    }
}
