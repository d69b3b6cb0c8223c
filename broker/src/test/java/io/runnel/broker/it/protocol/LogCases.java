package io.runnel.broker.it.protocol;

import java.nio.file.Path;
import java.util.List;

import io.runnel.broker.testing.RawKafkaClient;
import org.apache.kafka.common.message.AlterReplicaLogDirsRequestData;
import org.apache.kafka.common.message.AlterReplicaLogDirsResponseData;
import org.apache.kafka.common.message.DeleteRecordsRequestData;
import org.apache.kafka.common.message.DeleteRecordsResponseData;
import org.apache.kafka.common.message.DescribeLogDirsRequestData;
import org.apache.kafka.common.message.DescribeLogDirsResponseData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

import static io.runnel.broker.it.protocol.SweepFixture.DATA_TOPIC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sweep's cases for the log-management APIs: DeleteRecords on a topic of its own (the sweep's
 * data topic must keep its records), DescribeLogDirs on the data topic, AlterReplicaLogDirs to the
 * broker's own directory and to one it does not have.
 */
final class LogCases
{
    private final SweepFixture fixture;

    LogCases(final SweepFixture fixture)
    {
        this.fixture = fixture;
    }

    static DeleteRecordsRequestData deleteRecords(final String topic, final long offset)
    {
        return new DeleteRecordsRequestData().setTimeoutMs(10_000).setTopics(List.of(
            new DeleteRecordsRequestData.DeleteRecordsTopic().setName(topic).setPartitions(List.of(
                new DeleteRecordsRequestData.DeleteRecordsPartition().setPartitionIndex(0).setOffset(offset)))));
    }

    static DescribeLogDirsRequestData describeLogDirs(final String topic)
    {
        final DescribeLogDirsRequestData.DescribableLogDirTopicCollection topics = new DescribeLogDirsRequestData.DescribableLogDirTopicCollection();
        topics.add(new DescribeLogDirsRequestData.DescribableLogDirTopic().setTopic(topic).setPartitions(List.of(0)));
        return new DescribeLogDirsRequestData().setTopics(topics);
    }

    static AlterReplicaLogDirsRequestData alterReplicaLogDirs(final String path, final String topic)
    {
        final AlterReplicaLogDirsRequestData.AlterReplicaLogDirTopicCollection topics =
            new AlterReplicaLogDirsRequestData.AlterReplicaLogDirTopicCollection();
        topics.add(new AlterReplicaLogDirsRequestData.AlterReplicaLogDirTopic().setName(topic).setPartitions(List.of(0)));
        final AlterReplicaLogDirsRequestData.AlterReplicaLogDirCollection dirs = new AlterReplicaLogDirsRequestData.AlterReplicaLogDirCollection();
        dirs.add(new AlterReplicaLogDirsRequestData.AlterReplicaLogDir().setPath(path).setTopics(topics));
        return new AlterReplicaLogDirsRequestData().setDirs(dirs);
    }

    /** Records below offset 2 of a fresh five-record topic go; the earliest offset follows; past the end is refused. */
    void deleteRecords(final short version) throws Exception
    {
        final String topic = fixture.unique("trimmed-v" + version);
        fixture.createTopic(topic, 1);
        fixture.produce(topic, List.of("a", "b", "c", "d", "e"));
        try (RawKafkaClient raw = fixture.raw())
        {
            final DeleteRecordsResponseData trimmed = raw.request(ApiKeys.DELETE_RECORDS, version, deleteRecords(topic, 2));
            final DeleteRecordsResponseData.DeleteRecordsPartitionResult result = trimmed.topics().find(topic).partitions().find(0);
            assertEquals(Errors.NONE, Errors.forCode(result.errorCode()), "DeleteRecords v" + version);
            assertEquals(2, result.lowWatermark());

            final short listVersion = fixture.maxAdvertised(ApiKeys.LIST_OFFSETS);
            final ListOffsetsResponseData earliest = raw.request(ApiKeys.LIST_OFFSETS, listVersion,
                SweepRequests.listOffsets(listVersion, topic, SweepRequests.EARLIEST));
            assertEquals(2, earliest.topics().get(0).partitions().get(0).offset(), "the earliest offset after DeleteRecords v" + version);

            final DeleteRecordsResponseData tooFar = raw.request(ApiKeys.DELETE_RECORDS, version, deleteRecords(topic, 6));
            assertEquals(Errors.OFFSET_OUT_OF_RANGE, Errors.forCode(tooFar.topics().find(topic).partitions().find(0).errorCode()));
            final DeleteRecordsResponseData absent = raw.request(ApiKeys.DELETE_RECORDS, version, deleteRecords("absent-topic", 0));
            assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION,
                Errors.forCode(absent.topics().find("absent-topic").partitions().find(0).errorCode()));
        }
    }

    /** One directory, absolute, holding the data topic's partition with its bytes. */
    void describeLogDirs(final short version) throws Exception
    {
        try (RawKafkaClient raw = fixture.raw())
        {
            final DescribeLogDirsResponseData response = raw.request(ApiKeys.DESCRIBE_LOG_DIRS, version, describeLogDirs(DATA_TOPIC));
            assertEquals(Errors.NONE, Errors.forCode(response.errorCode()), "DescribeLogDirs v" + version);
            assertEquals(1, response.results().size());
            final DescribeLogDirsResponseData.DescribeLogDirsResult dir = response.results().get(0);
            assertEquals(Errors.NONE, Errors.forCode(dir.errorCode()));
            assertTrue(Path.of(dir.logDir()).isAbsolute(), dir.logDir());
            final DescribeLogDirsResponseData.DescribeLogDirsPartition partition = dir.topics().stream()
                .filter(topic -> topic.name().equals(DATA_TOPIC)).findFirst().orElseThrow().partitions().get(0);
            assertEquals(0, partition.partitionIndex());
            assertTrue(partition.partitionSize() > 0, "the data topic's bytes: " + partition.partitionSize());
            assertEquals(0, partition.offsetLag());
            if (version >= 4)
            {
                assertTrue(dir.totalBytes() > 0 && dir.usableBytes() >= 0 && dir.usableBytes() <= dir.totalBytes(),
                    dir.totalBytes() + " / " + dir.usableBytes());
            }
        }
    }

    /** The directory a partition is in already: nothing to do; another path: LOG_DIR_NOT_FOUND. */
    void alterReplicaLogDirs(final short version) throws Exception
    {
        try (RawKafkaClient raw = fixture.raw())
        {
            final short describeVersion = fixture.maxAdvertised(ApiKeys.DESCRIBE_LOG_DIRS);
            final String logDir = ((DescribeLogDirsResponseData)raw.request(ApiKeys.DESCRIBE_LOG_DIRS, describeVersion,
                describeLogDirs(DATA_TOPIC))).results().get(0).logDir();
            final AlterReplicaLogDirsResponseData same = raw.request(ApiKeys.ALTER_REPLICA_LOG_DIRS, version,
                alterReplicaLogDirs(logDir, DATA_TOPIC));
            assertEquals(Errors.NONE, Errors.forCode(same.results().get(0).partitions().get(0).errorCode()), "AlterReplicaLogDirs v" + version);
            final AlterReplicaLogDirsResponseData other = raw.request(ApiKeys.ALTER_REPLICA_LOG_DIRS, version,
                alterReplicaLogDirs(logDir + "-elsewhere", DATA_TOPIC));
            assertEquals(Errors.LOG_DIR_NOT_FOUND, Errors.forCode(other.results().get(0).partitions().get(0).errorCode()));
        }
    }
}
