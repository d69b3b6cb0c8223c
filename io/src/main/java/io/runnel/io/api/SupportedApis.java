package io.runnel.io.api;

import java.util.EnumMap;
import java.util.Map;

import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * The APIs and versions Runnel implements: exactly what ApiVersions advertises, and what the
 * router accepts. Produce and Fetch are limited to the versions our own flyweights decode and
 * encode; control-plane APIs take every version kafka-clients' message classes read.
 */
public final class SupportedApis
{
    private static final Map<ApiKeys, short[]> VERSIONS = new EnumMap<>(ApiKeys.class);

    static
    {
        // Kafka 4 takes Produce v3+ (kafka-clients' oldest), yet advertises v0 (KAFKA-18659: librdkafka refuses a broker
        // without it); a v0-2 request is answered UNSUPPORTED_VERSION by ProduceHandler.
        add(ApiKeys.PRODUCE, ApiKeys.PRODUCE_API_VERSIONS_RESPONSE_MIN_VERSION, 13, ApiKeys.PRODUCE_API_VERSIONS_RESPONSE_MIN_VERSION);
        add(ApiKeys.FETCH, 4, 18);
        add(ApiKeys.LIST_OFFSETS, 1, 11);
        add(ApiKeys.OFFSET_FOR_LEADER_EPOCH, 2, 4);
        add(ApiKeys.METADATA, 0, 13);
        add(ApiKeys.API_VERSIONS, 0, 4);
        add(ApiKeys.CREATE_TOPICS, 2, 7);
        add(ApiKeys.DELETE_TOPICS, 1, 6);
        add(ApiKeys.CREATE_PARTITIONS, 0, 3);
        add(ApiKeys.INIT_PRODUCER_ID, 0, 6);
        add(ApiKeys.DESCRIBE_CONFIGS, 1, 4);
        add(ApiKeys.ALTER_CONFIGS, 0, 2);
        add(ApiKeys.INCREMENTAL_ALTER_CONFIGS, 0, 1);
        add(ApiKeys.DESCRIBE_CLUSTER, 0, 2);
        add(ApiKeys.DESCRIBE_QUORUM, 0, 2);
        add(ApiKeys.DELETE_RECORDS, 0, 2);
        add(ApiKeys.DESCRIBE_LOG_DIRS, 1, 5);
        add(ApiKeys.ALTER_REPLICA_LOG_DIRS, 1, 2);
        // librdkafka enables its group consumer only when FindCoordinator, JoinGroup, SyncGroup, Heartbeat
        // and LeaveGroup v0, OffsetCommit v1-2 and OffsetFetch v1 are advertised: keep these minimums.
        add(ApiKeys.FIND_COORDINATOR, 0, 6);
        add(ApiKeys.JOIN_GROUP, 0, 9);
        add(ApiKeys.SYNC_GROUP, 0, 5);
        add(ApiKeys.HEARTBEAT, 0, 4);
        add(ApiKeys.LEAVE_GROUP, 0, 5);
        add(ApiKeys.OFFSET_COMMIT, 2, 10);
        add(ApiKeys.OFFSET_FETCH, 1, 10);
        add(ApiKeys.DESCRIBE_GROUPS, 0, 6);
        add(ApiKeys.LIST_GROUPS, 0, 5);
        add(ApiKeys.DELETE_GROUPS, 0, 2);
        add(ApiKeys.OFFSET_DELETE, 0, 0);
        add(ApiKeys.CONSUMER_GROUP_HEARTBEAT, 0, 1);
        add(ApiKeys.CONSUMER_GROUP_DESCRIBE, 0, 1);
    }

    private SupportedApis()
    {
    }

    private static void add(final ApiKeys api, final int min, final int max)
    {
        add(api, min, max, api.oldestVersion());
    }

    /** @param floor the lowest version that may be advertised: kafka-clients' oldest, unless Kafka itself advertises below it */
    private static void add(final ApiKeys api, final int min, final int max, final int floor)
    {
        final short lowest = (short)Math.max(min, floor);
        final short highest = (short)Math.min(max, api.latestVersion());
        VERSIONS.put(api, new short[] {lowest, highest});
    }

    public static boolean isSupported(final ApiKeys api)
    {
        return VERSIONS.containsKey(api);
    }

    public static boolean isSupported(final ApiKeys api, final short version)
    {
        final short[] range = VERSIONS.get(api);
        return range != null && version >= range[0] && version <= range[1];
    }

    public static ApiVersionsResponseData.ApiVersionCollection advertised()
    {
        final ApiVersionsResponseData.ApiVersionCollection collection = new ApiVersionsResponseData.ApiVersionCollection();
        VERSIONS.forEach((api, range) -> collection.add(new ApiVersionsResponseData.ApiVersion()
            .setApiKey(api.id).setMinVersion(range[0]).setMaxVersion(range[1])));
        return collection;
    }
}
