package io.runnel.io.api.control;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;

import io.runnel.codecs.protocol.ControlMessages;
import io.runnel.io.api.ApiShard;
import io.runnel.io.api.BrokerServices;
import io.runnel.io.api.RequestContext;
import io.runnel.kernel.log.PartitionLog;
import io.runnel.kernel.topic.Partition;
import io.runnel.kernel.topic.Topic;
import org.apache.kafka.common.message.AlterReplicaLogDirsRequestData;
import org.apache.kafka.common.message.AlterReplicaLogDirsResponseData;
import org.apache.kafka.common.message.DescribeLogDirsRequestData;
import org.apache.kafka.common.message.DescribeLogDirsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * The log-directory APIs of a broker with one log directory. DescribeLogDirs (kafka-log-dirs
 * --describe) reports the directory, its volume's total and usable bytes, and each partition's
 * size, read on the partition's owning shard. AlterReplicaLogDirs can only name the directory a
 * partition is already in (nothing moves; NONE), or another path (LOG_DIR_NOT_FOUND), as Kafka
 * answers for a directory it does not have.
 */
public final class LogDirsHandler
{
    private final ApiShard local;
    private final BrokerServices services;

    public LogDirsHandler(final ApiShard local, final BrokerServices services)
    {
        this.local = local;
        this.services = services;
    }

    public void handle(final RequestContext context)
    {
        if (context.api() == ApiKeys.DESCRIBE_LOG_DIRS)
        {
            describe(context);
        }
        else
        {
            context.respond(alter((AlterReplicaLogDirsRequestData)ControlMessages.readRequest(ApiKeys.ALTER_REPLICA_LOG_DIRS,
                context.apiVersion(), context.body())));
        }
    }

    private Path logDir()
    {
        return services.logManager().logDir().toAbsolutePath().normalize();
    }

    private void describe(final RequestContext context)
    {
        final DescribeLogDirsRequestData request = (DescribeLogDirsRequestData)ControlMessages.readRequest(ApiKeys.DESCRIBE_LOG_DIRS,
            context.apiVersion(), context.body());
        final DescribeLogDirsResponseData response = new DescribeLogDirsResponseData();
        final DescribeLogDirsResponseData.DescribeLogDirsResult dir = new DescribeLogDirsResponseData.DescribeLogDirsResult()
            .setLogDir(logDir().toString());
        response.results().add(dir);
        try
        {
            final FileStore store = Files.getFileStore(logDir());
            dir.setTotalBytes(store.getTotalSpace()).setUsableBytes(store.getUsableSpace());
        }
        catch (final IOException ex)
        {
            dir.setErrorCode(Errors.KAFKA_STORAGE_ERROR.code());
        }
        final PartitionLookups lookups = new PartitionLookups(local, context, response);
        final var snapshot = services.logManager().registry().snapshot();
        if (request.topics() == null)
        {
            for (final Topic topic : snapshot.topics())
            {
                describeTopic(dir, topic, null, lookups);
            }
        }
        else
        {
            for (final DescribeLogDirsRequestData.DescribableLogDirTopic requested : request.topics())
            {
                final Topic topic = snapshot.topic(requested.topic());
                if (topic != null)
                {
                    describeTopic(dir, topic, requested.partitions(), lookups);
                }
            }
        }
        lookups.dispatch();
    }

    /** Kafka leaves out partitions it does not have; so does this. */
    private static void describeTopic(final DescribeLogDirsResponseData.DescribeLogDirsResult dir, final Topic topic,
        final java.util.List<Integer> partitions, final PartitionLookups lookups)
    {
        final DescribeLogDirsResponseData.DescribeLogDirsTopic out = new DescribeLogDirsResponseData.DescribeLogDirsTopic().setName(topic.name());
        for (int i = 0; i < topic.partitionCount(); i++)
        {
            if (partitions == null || partitions.contains(i))
            {
                final DescribeLogDirsResponseData.DescribeLogDirsPartition partition =
                    new DescribeLogDirsResponseData.DescribeLogDirsPartition().setPartitionIndex(i);
                out.partitions().add(partition);
                lookups.add(new SizeLookup(topic.partition(i), partition));
            }
        }
        if (!out.partitions().isEmpty())
        {
            dir.topics().add(out);
        }
    }

    private AlterReplicaLogDirsResponseData alter(final AlterReplicaLogDirsRequestData request)
    {
        final AlterReplicaLogDirsResponseData response = new AlterReplicaLogDirsResponseData();
        final var snapshot = services.logManager().registry().snapshot();
        for (final AlterReplicaLogDirsRequestData.AlterReplicaLogDir target : request.dirs())
        {
            final boolean ours = Path.of(target.path()).toAbsolutePath().normalize().equals(logDir());
            for (final AlterReplicaLogDirsRequestData.AlterReplicaLogDirTopic requested : target.topics())
            {
                final AlterReplicaLogDirsResponseData.AlterReplicaLogDirTopicResult topicResult =
                    new AlterReplicaLogDirsResponseData.AlterReplicaLogDirTopicResult().setTopicName(requested.name());
                response.results().add(topicResult);
                final Topic topic = snapshot.topic(requested.name());
                for (final int index : requested.partitions())
                {
                    final Errors error = !ours ? Errors.LOG_DIR_NOT_FOUND :
                        topic == null || index < 0 || index >= topic.partitionCount() ? Errors.UNKNOWN_TOPIC_OR_PARTITION : Errors.NONE;
                    topicResult.partitions().add(new AlterReplicaLogDirsResponseData.AlterReplicaLogDirPartitionResult()
                        .setPartitionIndex(index).setErrorCode(error.code()));
                }
            }
        }
        return response;
    }

    /** A partition's size and lag, read on its owner. */
    private static final class SizeLookup extends PartitionLookups.Lookup
    {
        private final DescribeLogDirsResponseData.DescribeLogDirsPartition out;

        SizeLookup(final Partition partition, final DescribeLogDirsResponseData.DescribeLogDirsPartition out)
        {
            super(partition);
            this.out = out;
        }

        @Override
        void lookUp(final Partition partition, final PartitionLog log)
        {
            // The lag of the log end offset behind the high watermark: 0 for a leader, as Kafka reports it.
            out.setPartitionSize(log.sizeInBytes()).setOffsetLag(Math.max(0, log.highWatermark() - log.logEndOffset()));
        }

        @Override
        void answerError(final short errorCode)
        {
            out.setPartitionSize(0).setOffsetLag(0);
        }
    }
}
