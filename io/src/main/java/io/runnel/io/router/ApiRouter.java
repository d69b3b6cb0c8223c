package io.runnel.io.router;

import io.runnel.codecs.protocol.MalformedRequestException;
import io.runnel.codecs.protocol.RequestHeader;
import io.runnel.io.api.ApiShard;
import io.runnel.io.api.BrokerServices;
import io.runnel.io.api.FaultHooks;
import io.runnel.io.api.RequestContext;
import io.runnel.io.api.SupportedApis;
import io.runnel.io.api.control.AdminHandlers;
import io.runnel.io.api.control.DeleteRecordsHandler;
import io.runnel.io.api.control.ListOffsetsHandler;
import io.runnel.io.api.control.LogDirsHandler;
import io.runnel.io.api.control.OffsetForLeaderEpochHandler;
import io.runnel.io.api.fetch.FetchHandler;
import io.runnel.io.api.group.GroupHandlers;
import io.runnel.io.api.produce.ProduceHandler;
import io.runnel.io.net.Connection;
import io.runnel.io.net.FrameHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a complete frame into a request: reads the header, refuses what Runnel does not
 * implement, and hands the rest to the API's handler. A malformed or unsupported request closes
 * its connection with a log line. A handler that fails answers its request with the API's error
 * response and the connection carries on; nothing a request does stops the shard. One router per
 * shard and listener: handlers keep per-shard scratch state, and each listener serves its own set of
 * APIs ({@link SupportedApis}): an API a listener does not serve closes the connection, as Kafka does.
 */
public final class ApiRouter implements FrameHandler
{
    private static final Logger LOG = LoggerFactory.getLogger(ApiRouter.class);

    private final RequestHeader header = new RequestHeader();
    private final FaultHooks faultHooks;
    private final SupportedApis apis;
    private final ProduceHandler produce;
    private final FetchHandler fetch;
    private final ListOffsetsHandler listOffsets;
    private final OffsetForLeaderEpochHandler offsetForLeaderEpoch;
    private final DeleteRecordsHandler deleteRecords;
    private final LogDirsHandler logDirs;
    private final AdminHandlers admin;
    private final GroupHandlers groups;

    /** The broker listener's router: every API. */
    public ApiRouter(final ApiShard local, final BrokerServices services)
    {
        this(local, services, SupportedApis.BROKER_LISTENER);
    }

    /** A router serving only {@code apis} (a controller listener's, say). */
    public ApiRouter(final ApiShard local, final BrokerServices services, final SupportedApis apis)
    {
        this.faultHooks = services.faultHooks();
        this.apis = apis;
        this.produce = new ProduceHandler(local, services);
        this.fetch = new FetchHandler(local, services);
        this.listOffsets = new ListOffsetsHandler(local, services);
        this.offsetForLeaderEpoch = new OffsetForLeaderEpochHandler(local, services);
        this.deleteRecords = new DeleteRecordsHandler(local, services);
        this.logDirs = new LogDirsHandler(local, services);
        this.admin = new AdminHandlers(local, services, apis);
        this.groups = new GroupHandlers(local, services);
    }

    @Override
    public void onFrame(final Connection connection, final UnsafeBuffer frame, final int length)
    {
        RequestContext context = null;
        try
        {
            header.wrap(frame, 0, length);
            final short key = header.apiKey();
            final ApiKeys api = ApiKeys.hasId(key) ? ApiKeys.forId(key) : null;
            if (api == null || !apis.isSupported(api))
            {
                refuse(connection, frame, api == null || !SupportedApis.BROKER_LISTENER.isSupported(api)
                    ? "unsupported API key " + key : api + " is not served on this listener");
                return;
            }
            if (!apis.isSupported(api, header.apiVersion()))
            {
                if (api == ApiKeys.API_VERSIONS)
                {
                    // KIP-511: answer with v0 and our ranges so the client can pick a version.
                    context = new RequestContext(connection, api, (short)0, header.correlationId(), null, frame, length, length);
                    connection.register(context);
                    context.respond(new ApiVersionsResponseData().setErrorCode(Errors.UNSUPPORTED_VERSION.code())
                        .setApiKeys(apis.advertised()));
                    return;
                }
                refuse(connection, frame, "unsupported version " + header.apiVersion() + " of " + api);
                return;
            }
            header.parseRest(api);
            context = new RequestContext(connection, api, header.apiVersion(), header.correlationId(), connection.clientId(header),
                frame, header.headerLength(), length);
            connection.register(context);
            faultHooks.runBeforeHandler(context);
            switch (api)
            {
                case PRODUCE -> produce.handle(context);
                case FETCH -> fetch.handle(context);
                case LIST_OFFSETS -> listOffsets.handle(context);
                case OFFSET_FOR_LEADER_EPOCH -> offsetForLeaderEpoch.handle(context);
                case DELETE_RECORDS -> deleteRecords.handle(context);
                case DESCRIBE_LOG_DIRS, ALTER_REPLICA_LOG_DIRS -> logDirs.handle(context);
                case FIND_COORDINATOR, JOIN_GROUP, SYNC_GROUP, HEARTBEAT, LEAVE_GROUP, OFFSET_COMMIT, OFFSET_FETCH,
                    DESCRIBE_GROUPS, LIST_GROUPS, DELETE_GROUPS, OFFSET_DELETE, CONSUMER_GROUP_HEARTBEAT,
                    CONSUMER_GROUP_DESCRIBE -> groups.handle(context);
                default -> admin.handle(context);
            }
        }
        catch (final MalformedRequestException ex)
        {
            failed(connection, frame, context, "malformed request: " + ex.getMessage(), null);
        }
        catch (final RuntimeException | OutOfMemoryError | StackOverflowError ex)
        {
            if (context == null)
            {
                // The header itself could not be read: there is no request to answer.
                failed(connection, frame, null, "request failed: " + ex, ex);
            }
            else
            {
                // One request must never stop a shard, nor cost its client the connection: it is answered with an error.
                LOG.error("{} v{} from {} failed; answering with an error", context.api(), context.apiVersion(), connection.remote(), ex);
                context.fail(ex);
            }
        }
    }

    private void refuse(final Connection connection, final UnsafeBuffer frame, final String reason)
    {
        connection.reactor().framePool().release(frame);
        connection.close(reason);
    }

    private void failed(final Connection connection, final UnsafeBuffer frame, final RequestContext context,
        final String reason, final Throwable cause)
    {
        if (cause != null)
        {
            LOG.error("{} from {}", reason, connection.remote(), cause);
        }
        if (context != null)
        {
            context.finishWithoutResponse();
        }
        else
        {
            connection.reactor().framePool().release(frame);
        }
        connection.close(reason);
    }
}
