package io.runnel.broker.it.hostile;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.runnel.broker.testing.RawKafkaClient;
import io.runnel.broker.testing.TestBroker;
import io.runnel.kernel.topic.Topic;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.UnknownServerException;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A failure anywhere becomes an error response for the request that met it, and the connection
 * goes on serving: a command failing on another shard (through each shard's test hook, which
 * makes the command throw as a bug would) and a handler failing on the connection's own shard
 * (through the router's test hook). Two shards, so that a request touching partitions of both
 * necessarily crosses shards.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FailuresAreAnsweredTest
{
    private static final String TOPIC = "failing";
    private static final int PARTITIONS = 8;
    private static final short PRODUCE_V = 11;
    private static final short DESCRIBE_CLUSTER_V = 1;

    @TempDir
    Path dataDir;

    private TestBroker broker;
    private final AtomicBoolean failing = new AtomicBoolean();

    @BeforeEach
    void start() throws Exception
    {
        broker = TestBroker.start(dataDir, Map.of("runnel.shards", "2", "auto.create.topics.enable", "false"));
        try (Admin admin = broker.admin())
        {
            admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short)1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    @AfterEach
    void stop()
    {
        broker.close();
    }

    /** Makes every command of {@code commandClass} throw on every shard while {@link #failing} is set. */
    private void failCommandsNamed(final String commandClass)
    {
        for (int i = 0; i < broker.broker().logManager().shardCount(); i++)
        {
            broker.broker().logManager().shard(i).faultHook(command ->
            {
                if (failing.get() && command.getClass().getSimpleName().equals(commandClass))
                {
                    throw new IllegalStateException("injected failure in " + commandClass);
                }
            });
        }
    }

    @Test
    void appendsThatFailOnTheirOwningShardsAreAnsweredWithAnErrorAndTheConnectionStaysUsable() throws Exception
    {
        final Topic topic = broker.broker().logManager().registry().snapshot().topic(TOPIC);
        final int onShard0 = firstPartitionOn(topic, 0);
        final int onShard1 = firstPartitionOn(topic, 1);
        failCommandsNamed("PartitionAppend");
        try (RawKafkaClient raw = RawKafkaClient.connect(broker.port()))
        {
            failing.set(true);
            final ProduceResponseData failed = raw.produce(PRODUCE_V, produceTo(onShard0, onShard1));
            for (final var partition : partitions(failed))
            {
                assertEquals(Errors.UNKNOWN_SERVER_ERROR.code(), partition.errorCode(), "partition " + partition.index());
            }

            // The same connection answers the next request: it was not closed.
            failing.set(false);
            final ProduceResponseData succeeded = raw.produce(PRODUCE_V, produceTo(onShard0, onShard1));
            for (final var partition : partitions(succeeded))
            {
                assertEquals(Errors.NONE.code(), partition.errorCode(), "partition " + partition.index());
                assertEquals(0, partition.baseOffset(), "the failed append must have written nothing");
            }
        }
    }

    @Test
    void aHandlerThatFailsOnTheConnectionsShardIsAnsweredWithItsApisErrorResponse() throws Exception
    {
        broker.broker().faultHooks().beforeHandler(context ->
        {
            if (failing.get() && context.api() == ApiKeys.DESCRIBE_CLUSTER)
            {
                throw new IllegalStateException("injected failure in the DescribeCluster handler");
            }
        });
        try (RawKafkaClient raw = RawKafkaClient.connect(broker.port()))
        {
            failing.set(true);
            final DescribeClusterResponseData failed = describeCluster(raw);
            assertEquals(Errors.UNKNOWN_SERVER_ERROR.code(), failed.errorCode());

            // The same connection answers the next request: it was not closed.
            failing.set(false);
            final DescribeClusterResponseData succeeded = describeCluster(raw);
            assertEquals(Errors.NONE.code(), succeeded.errorCode());
            assertEquals(1, succeeded.brokers().size());
        }
    }

    @Test
    void groupWorkThatFailsOnTheCoordinatorsShardReachesTheStockAdminClientAsAnError() throws Exception
    {
        failCommandsNamed("CoordinatorWork");
        try (Admin admin = broker.admin())
        {
            failing.set(true);
            final ExecutionException failed = assertThrows(ExecutionException.class,
                () -> admin.listConsumerGroupOffsets("some-group").partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS));
            assertInstanceOf(UnknownServerException.class, failed.getCause());

            failing.set(false);
            final var offsets = admin.listConsumerGroupOffsets("some-group").partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            assertTrue(offsets.isEmpty(), "a group that never committed has no offsets: " + offsets);
        }
    }

    private static DescribeClusterResponseData describeCluster(final RawKafkaClient raw) throws Exception
    {
        final int correlationId = raw.send(ApiKeys.DESCRIBE_CLUSTER, DESCRIBE_CLUSTER_V, new DescribeClusterRequestData());
        return raw.receive(ApiKeys.DESCRIBE_CLUSTER, DESCRIBE_CLUSTER_V, correlationId);
    }

    private static int firstPartitionOn(final Topic topic, final int shard)
    {
        for (int i = 0; i < topic.partitionCount(); i++)
        {
            if (topic.partition(i).shard() == shard)
            {
                return i;
            }
        }
        throw new IllegalStateException("no partition of " + topic.name() + " on shard " + shard);
    }

    private static ProduceRequestData produceTo(final int... partitions)
    {
        final ProduceRequestData request = RawKafkaClient.produceRequest((short)1, TOPIC, partitions[0],
            ByteBuffer.wrap(Batches.v2("first")));
        final var topicData = request.topicData().iterator().next();
        topicData.setPartitionData(new ArrayList<>(topicData.partitionData()));
        for (int i = 1; i < partitions.length; i++)
        {
            topicData.partitionData().add(RawKafkaClient.partitionData(partitions[i], ByteBuffer.wrap(Batches.v2("next"))));
        }
        return request;
    }

    private static List<ProduceResponseData.PartitionProduceResponse> partitions(final ProduceResponseData response)
    {
        final List<ProduceResponseData.PartitionProduceResponse> all = new ArrayList<>();
        response.responses().forEach(topic -> all.addAll(topic.partitionResponses()));
        assertEquals(2, all.size());
        return all;
    }
}
