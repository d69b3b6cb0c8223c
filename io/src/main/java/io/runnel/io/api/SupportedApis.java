package io.runnel.io.api;

import java.util.EnumMap;
import java.util.Map;

import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * The APIs and versions a listener serves: exactly what ApiVersions advertises on it, and what the
 * router accepts there. The broker listener serves every API Runnel implements; Produce and Fetch
 * are limited to the versions our own flyweights decode and encode, control-plane APIs take every
 * version kafka-clients' message classes read. A controller listener serves what admin tools ask of
 * a controller ({@code --bootstrap-controller}); Aeron carries the quorum's own traffic, not this
 * listener, so KRaft's Vote, Fetch and registration APIs have no place on it.
 */
public final class SupportedApis
{
    /** What the broker listener serves: every API Runnel implements. */
    public static final SupportedApis BROKER_LISTENER = brokerListener();
    /** What a controller listener serves. */
    public static final SupportedApis CONTROLLER_LISTENER = controllerListener();

    private final Map<ApiKeys, short[]> versions = new EnumMap<>(ApiKeys.class);

    private SupportedApis()
    {
    }

    private static SupportedApis brokerListener()
    {
        final SupportedApis apis = new SupportedApis();
        // Kafka 4 takes Produce v3+ (kafka-clients' oldest), yet advertises v0 (KAFKA-18659: librdkafka refuses a broker
        // without it); a v0-2 request is answered UNSUPPORTED_VERSION by ProduceHandler.
        apis.add(ApiKeys.PRODUCE, ApiKeys.PRODUCE_API_VERSIONS_RESPONSE_MIN_VERSION, 13, ApiKeys.PRODUCE_API_VERSIONS_RESPONSE_MIN_VERSION);
        apis.add(ApiKeys.FETCH, 4, 18);
        apis.add(ApiKeys.LIST_OFFSETS, 1, 11);
        apis.add(ApiKeys.OFFSET_FOR_LEADER_EPOCH, 2, 4);
        apis.add(ApiKeys.METADATA, 0, 13);
        apis.add(ApiKeys.API_VERSIONS, 0, 4);
        apis.add(ApiKeys.CREATE_TOPICS, 2, 7);
        apis.add(ApiKeys.DELETE_TOPICS, 1, 6);
        apis.add(ApiKeys.CREATE_PARTITIONS, 0, 3);
        apis.add(ApiKeys.INIT_PRODUCER_ID, 0, 6);
        apis.add(ApiKeys.DESCRIBE_CONFIGS, 1, 4);
        apis.add(ApiKeys.ALTER_CONFIGS, 0, 2);
        apis.add(ApiKeys.INCREMENTAL_ALTER_CONFIGS, 0, 1);
        apis.add(ApiKeys.DESCRIBE_CLUSTER, 0, 2);
        apis.add(ApiKeys.DESCRIBE_QUORUM, 0, 2);
        apis.add(ApiKeys.DELETE_RECORDS, 0, 2);
        apis.add(ApiKeys.ELECT_LEADERS, 0, 2);
        apis.add(ApiKeys.ALTER_PARTITION_REASSIGNMENTS, 0, 1);
        apis.add(ApiKeys.LIST_PARTITION_REASSIGNMENTS, 0, 0);
        apis.add(ApiKeys.DESCRIBE_LOG_DIRS, 1, 5);
        apis.add(ApiKeys.ALTER_REPLICA_LOG_DIRS, 1, 2);
        // librdkafka enables its group consumer only when FindCoordinator, JoinGroup, SyncGroup, Heartbeat
        // and LeaveGroup v0, OffsetCommit v1-2 and OffsetFetch v1 are advertised: keep these minimums.
        apis.add(ApiKeys.FIND_COORDINATOR, 0, 6);
        apis.add(ApiKeys.JOIN_GROUP, 0, 9);
        apis.add(ApiKeys.SYNC_GROUP, 0, 5);
        apis.add(ApiKeys.HEARTBEAT, 0, 4);
        apis.add(ApiKeys.LEAVE_GROUP, 0, 5);
        apis.add(ApiKeys.OFFSET_COMMIT, 2, 10);
        apis.add(ApiKeys.OFFSET_FETCH, 1, 10);
        apis.add(ApiKeys.DESCRIBE_GROUPS, 0, 6);
        apis.add(ApiKeys.LIST_GROUPS, 0, 5);
        apis.add(ApiKeys.DELETE_GROUPS, 0, 2);
        apis.add(ApiKeys.OFFSET_DELETE, 0, 0);
        apis.add(ApiKeys.CONSUMER_GROUP_HEARTBEAT, 0, 1);
        apis.add(ApiKeys.CONSUMER_GROUP_DESCRIBE, 0, 1);
        return apis;
    }

    private static SupportedApis controllerListener()
    {
        final SupportedApis apis = new SupportedApis();
        apis.add(ApiKeys.API_VERSIONS, 0, 4);
        // v1 is the first to say which endpoints are asked for: a controller answers with controllers only.
        apis.add(ApiKeys.DESCRIBE_CLUSTER, 1, 2);
        apis.add(ApiKeys.DESCRIBE_QUORUM, 0, 2);
        return apis;
    }

    private void add(final ApiKeys api, final int min, final int max)
    {
        add(api, min, max, api.oldestVersion());
    }

    /** @param floor the lowest version that may be advertised: kafka-clients' oldest, unless Kafka itself advertises below it */
    private void add(final ApiKeys api, final int min, final int max, final int floor)
    {
        final short lowest = (short)Math.max(min, floor);
        final short highest = (short)Math.min(max, api.latestVersion());
        versions.put(api, new short[] {lowest, highest});
    }

    public boolean isSupported(final ApiKeys api)
    {
        return versions.containsKey(api);
    }

    public boolean isSupported(final ApiKeys api, final short version)
    {
        final short[] range = versions.get(api);
        return range != null && version >= range[0] && version <= range[1];
    }

    public ApiVersionsResponseData.ApiVersionCollection advertised()
    {
        final ApiVersionsResponseData.ApiVersionCollection collection = new ApiVersionsResponseData.ApiVersionCollection();
        versions.forEach((api, range) -> collection.add(new ApiVersionsResponseData.ApiVersion()
            .setApiKey(api.id).setMinVersion(range[0]).setMaxVersion(range[1])));
        return collection;
    }
}
