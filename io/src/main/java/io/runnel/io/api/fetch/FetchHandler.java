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
 * Fetch sessions (KIP-227) are declined: every answer carries session id 0, which tells the
 * client to keep sending full fetch requests.
 */
public final class FetchHandler
{
    private final ApiShard local;
    private final BrokerServices services;

    public FetchHandler(final ApiShard local, final BrokerServices services)
    {
        this.local = local;
        this.services = services;
    }

    public void handle(final RequestContext context)
    {
        final FetchRequestData request = (FetchRequestData)ControlMessages.readRequest(ApiKeys.FETCH, context.apiVersion(), context.body());
        new FetchOperation(context, local, services, request).start(local.nowMs());
    }
}
