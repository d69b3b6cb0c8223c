package io.runnel.broker.it.protocol;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.runnel.broker.testing.RawKafkaClient;
import io.runnel.broker.testing.TestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What every sweep case shares, set up once per class: one real broker, a one-partition topic
 * holding {@link #RECORDS} records with known keys, values and timestamps, its topic id and
 * leader epoch, and what ApiVersions advertised. Helpers talk to the broker at the highest
 * advertised version, so that a case exercises only its own (API, version).
 */
final class SweepFixture implements AutoCloseable
{
    /** Sweep kafka-clients' whole version range of every covered API instead of what the broker advertises. */
    static final String ALL_VERSIONS_PROPERTY = "sweep.allVersions";
    static final String DATA_TOPIC = "sweep-data";
    static final int RECORDS = 5;
    /** Record i has timestamp FIRST_TIMESTAMP + i * TIMESTAMP_STEP: far from now, so no clock can collide with it. */
    static final long FIRST_TIMESTAMP = 1_600_000_000_000L;
    static final long TIMESTAMP_STEP = 1_000L;
    private static final int REQUEST_TIMEOUT_MS = 10_000;
    private static final Duration ANSWER_WAIT = Duration.ofSeconds(5);
    private static final int DELETION_POLLS = 100;
    private static final long DELETION_POLL_MS = 100;

    private final AtomicInteger sequence = new AtomicInteger();
    private final TestBroker broker;
    private final Admin admin;
    private final ApiVersionsResponseData advertised;
    private final Uuid dataTopicId;
    private final int dataLeaderEpoch;

    private SweepFixture(final TestBroker broker) throws Exception
    {
        this.broker = broker;
        this.admin = broker.admin();
        try (RawKafkaClient raw = raw())
        {
            this.advertised = raw.apiVersions((short)3);
        }
        assertEquals(Errors.NONE.code(), advertised.errorCode(), "ApiVersions v3");
        createTopic(DATA_TOPIC, 1);
        final List<String> values = new ArrayList<>();
        for (int i = 0; i < RECORDS; i++)
        {
            values.add(value(i));
        }
        final ProduceResponseData.PartitionProduceResponse produced = produce(DATA_TOPIC, values);
        assertEquals(Errors.NONE.code(), produced.errorCode(), "fixture records");
        assertEquals(0, produced.baseOffset());
        final MetadataResponseData.MetadataResponseTopic topic = metadataTopic(DATA_TOPIC);
        this.dataTopicId = topic.topicId();
        this.dataLeaderEpoch = topic.partitions().get(0).leaderEpoch();
    }

    static SweepFixture start(final Path dataDir) throws Exception
    {
        final TestBroker broker = TestBroker.start(dataDir, Map.of(
            "runnel.shards", "2",
            "auto.create.topics.enable", "false",
            // A group of one must not wait for company before its first generation.
            "group.initial.rebalance.delay.ms", "0"));
        try
        {
            return new SweepFixture(broker);
        }
        catch (final Exception | AssertionError ex)
        {
            broker.close();
            throw ex;
        }
    }

    static boolean allVersions()
    {
        return Boolean.getBoolean(ALL_VERSIONS_PROPERTY);
    }

    static String key(final int i)
    {
        return "key-" + i;
    }

    static String value(final int i)
    {
        return "value-" + i;
    }

    static long timestamp(final int i)
    {
        return FIRST_TIMESTAMP + i * TIMESTAMP_STEP;
    }

    /** How long a refused request may take to be answered or closed; loopback answers in milliseconds. */
    Duration answerWait()
    {
        return ANSWER_WAIT;
    }

    int port()
    {
        return broker.port();
    }

    Uuid dataTopicId()
    {
        return dataTopicId;
    }

    int dataLeaderEpoch()
    {
        return dataLeaderEpoch;
    }

    ApiVersionsResponseData advertised()
    {
        return advertised;
    }

    /** One API's versions to sweep, by key: an advertised key kafka-clients does not know is kept, to fail by name. */
    record SweptApi(short apiKey, short minVersion, short maxVersion)
    {
        String name()
        {
            return ApiKeys.hasId(apiKey) ? ApiKeys.forId(apiKey).name() : "unknown API key " + apiKey;
        }
    }

    /**
     * What the sweeps cover: exactly the advertised ranges; or, with {@link #ALL_VERSIONS_PROPERTY},
     * kafka-clients' whole range (oldestVersion..latestVersion, and Produce from v0 as Kafka 4
     * advertises it) of every advertised or covered API, to see what fails where.
     */
    List<SweptApi> sweptApis(final Set<ApiKeys> covered)
    {
        final Map<Short, SweptApi> swept = new TreeMap<>();
        for (final ApiVersionsResponseData.ApiVersion range : advertised.apiKeys())
        {
            swept.put(range.apiKey(), new SweptApi(range.apiKey(), range.minVersion(), range.maxVersion()));
        }
        if (allVersions())
        {
            final Set<Short> keys = new TreeSet<>(swept.keySet());
            covered.forEach(api -> keys.add(api.id));
            for (final short key : keys)
            {
                if (ApiKeys.hasId(key))
                {
                    final ApiKeys api = ApiKeys.forId(key);
                    final short oldest = api == ApiKeys.PRODUCE ? 0 : api.oldestVersion();
                    swept.put(key, new SweptApi(key, oldest, api.latestVersion()));
                }
            }
        }
        return new ArrayList<>(swept.values());
    }

    /** The highest version of {@code api} the broker advertises: what helpers speak. */
    short maxAdvertised(final ApiKeys api)
    {
        final ApiVersionsResponseData.ApiVersion range = advertised.apiKeys().find(api.id);
        assertNotNull(range, api + " is not advertised, but a sweep helper needs it");
        return range.maxVersion();
    }

    /** A name no other case uses. */
    String unique(final String prefix)
    {
        return prefix + "-" + sequence.incrementAndGet();
    }

    RawKafkaClient raw() throws IOException
    {
        return RawKafkaClient.connect(broker.port()).verifyingEncoding();
    }

    void createTopic(final String name, final int partitions) throws Exception
    {
        admin.createTopics(List.of(new NewTopic(name, partitions, (short)1))).all().get(15, TimeUnit.SECONDS);
    }

    /** The topic as Metadata at the highest advertised version reports it (null when unknown). */
    MetadataResponseData.MetadataResponseTopic metadataTopic(final String topic) throws IOException
    {
        final short version = maxAdvertised(ApiKeys.METADATA);
        final MetadataRequestData request = new MetadataRequestData()
            .setTopics(List.of(new MetadataRequestData.MetadataRequestTopic().setName(topic)))
            .setAllowAutoTopicCreation(false);
        try (RawKafkaClient raw = raw())
        {
            final MetadataResponseData response = raw.request(ApiKeys.METADATA, version, request);
            return response.topics().find(topic);
        }
    }

    Uuid topicId(final String topic) throws IOException
    {
        final MetadataResponseData.MetadataResponseTopic found = metadataTopic(topic);
        assertNotNull(found, topic);
        assertEquals(Errors.NONE.code(), found.errorCode(), topic);
        return found.topicId();
    }

    int partitionCount(final String topic) throws IOException
    {
        final MetadataResponseData.MetadataResponseTopic found = metadataTopic(topic);
        return found == null || found.errorCode() != Errors.NONE.code() ? 0 : found.partitions().size();
    }

    /** Polls Metadata until the topic is gone; deletion may finish after the response. Bounded. */
    boolean awaitTopicGone(final String topic) throws Exception
    {
        for (int poll = 0; poll < DELETION_POLLS; poll++)
        {
            if (partitionCount(topic) == 0)
            {
                return true;
            }
            Thread.sleep(DELETION_POLL_MS);
        }
        return false;
    }

    /** One uncompressed magic-2 batch: value-only records for {@code values}, keyed and timestamped by index. */
    static MemoryRecords batch(final List<String> values)
    {
        final SimpleRecord[] records = new SimpleRecord[values.size()];
        for (int i = 0; i < records.length; i++)
        {
            records[i] = new SimpleRecord(timestamp(i), key(i).getBytes(StandardCharsets.UTF_8),
                values.get(i).getBytes(StandardCharsets.UTF_8));
        }
        return MemoryRecords.withRecords(Compression.NONE, records);
    }

    static ProduceRequestData produceRequest(final short version, final String topic, final Uuid topicId, final MemoryRecords records)
    {
        final ProduceRequestData.TopicProduceData data = new ProduceRequestData.TopicProduceData()
            .setPartitionData(List.of(new ProduceRequestData.PartitionProduceData()
                .setIndex(0)
                .setRecords(MemoryRecords.readableRecords(records.buffer().duplicate()))));
        // v13 names topics by id only.
        if (version >= 13)
        {
            data.setTopicId(topicId);
        }
        else
        {
            data.setName(topic);
        }
        final ProduceRequestData.TopicProduceDataCollection topics = new ProduceRequestData.TopicProduceDataCollection();
        topics.add(data);
        return new ProduceRequestData().setAcks((short)-1).setTimeoutMs(REQUEST_TIMEOUT_MS).setTopicData(topics);
    }

    /** Produces to partition 0 at the highest advertised Produce version. */
    ProduceResponseData.PartitionProduceResponse produce(final String topic, final List<String> values) throws IOException
    {
        final short version = maxAdvertised(ApiKeys.PRODUCE);
        final Uuid id = version >= 13 ? topicId(topic) : Uuid.ZERO_UUID;
        try (RawKafkaClient raw = raw())
        {
            return RawKafkaClient.onlyPartition(raw.produce(version, produceRequest(version, topic, id, batch(values))));
        }
    }

    static FetchRequestData fetchRequest(final short version, final String topic, final Uuid topicId, final long offset)
    {
        final FetchRequestData.FetchTopic fetchTopic = new FetchRequestData.FetchTopic()
            .setPartitions(List.of(new FetchRequestData.FetchPartition()
                .setPartition(0)
                .setFetchOffset(offset)
                .setPartitionMaxBytes(1024 * 1024)));
        // v13 names topics by id only.
        if (version >= 13)
        {
            fetchTopic.setTopicId(topicId);
        }
        else
        {
            fetchTopic.setTopic(topic);
        }
        return new FetchRequestData()
            .setMaxWaitMs(0)
            .setMinBytes(0)
            .setMaxBytes(4 * 1024 * 1024)
            .setTopics(List.of(fetchTopic));
    }

    /** Partition 0's answer to one Fetch at {@code version} from {@code offset}. */
    FetchResponseData.PartitionData fetch(final short version, final String topic, final Uuid topicId, final long offset)
        throws IOException
    {
        try (RawKafkaClient raw = raw())
        {
            final FetchResponseData response = raw.request(ApiKeys.FETCH, version, fetchRequest(version, topic, topicId, offset));
            assertEquals(Errors.NONE.code(), response.errorCode(), "fetch v" + version + " top-level error");
            assertEquals(1, response.responses().size(), "fetch v" + version + " topics");
            final FetchResponseData.FetchableTopicResponse topicResponse = response.responses().get(0);
            if (version >= 13)
            {
                assertEquals(topicId, topicResponse.topicId());
            }
            else
            {
                assertEquals(topic, topicResponse.topic());
            }
            assertEquals(1, topicResponse.partitions().size());
            return topicResponse.partitions().get(0);
        }
    }

    /** The values stored in partition 0 from {@code offset}, read at the highest advertised Fetch version. */
    List<String> values(final String topic, final long offset) throws IOException
    {
        final short version = maxAdvertised(ApiKeys.FETCH);
        final FetchResponseData.PartitionData partition = fetch(version, topic, version >= 13 ? topicId(topic) : Uuid.ZERO_UUID, offset);
        assertEquals(Errors.NONE.code(), partition.errorCode());
        return values(partition, offset);
    }

    /** Values of the records at or after {@code offset} in a fetched partition (a batch may start earlier). */
    static List<String> values(final FetchResponseData.PartitionData partition, final long offset)
    {
        final List<String> values = new ArrayList<>();
        if (partition.records() == null)
        {
            return values;
        }
        final MemoryRecords records = (MemoryRecords)partition.records();
        for (final RecordBatch batch : records.batches())
        {
            for (final Record record : batch)
            {
                if (record.offset() >= offset)
                {
                    values.add(string(record.value()));
                }
            }
        }
        return values;
    }

    static String string(final ByteBuffer buffer)
    {
        if (buffer == null)
        {
            return null;
        }
        final byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /**
     * The broker is alive: on a new connection Metadata lists the fixture topic, and a produced
     * record reads back by Fetch at the offset the produce answered.
     */
    void assertAlive(final String afterWhat) throws IOException
    {
        final MetadataResponseData.MetadataResponseTopic topic = metadataTopic(DATA_TOPIC);
        assertNotNull(topic, "Metadata after " + afterWhat);
        assertEquals(Errors.NONE.code(), topic.errorCode(), "Metadata after " + afterWhat);
        final String value = unique("alive");
        final ProduceResponseData.PartitionProduceResponse produced = produce(DATA_TOPIC, List.of(value));
        assertEquals(Errors.NONE.code(), produced.errorCode(), "produce after " + afterWhat);
        assertTrue(produced.baseOffset() >= RECORDS, "produce after " + afterWhat + ": offset " + produced.baseOffset());
        assertEquals(List.of(value), values(DATA_TOPIC, produced.baseOffset()).subList(0, 1), "fetch after " + afterWhat);
    }

    @Override
    public void close()
    {
        admin.close(Duration.ofSeconds(5));
        broker.close();
    }
}
