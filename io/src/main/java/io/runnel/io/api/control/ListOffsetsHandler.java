package io.runnel.io.api.control;

import java.util.ArrayList;
import java.util.List;

import io.runnel.codecs.protocol.ControlMessages;
import io.runnel.io.api.BrokerServices;
import io.runnel.io.api.RequestContext;
import io.runnel.io.net.Reactor;
import io.runnel.kernel.log.PartitionLog;
import io.runnel.kernel.shard.Shard;
import io.runnel.kernel.topic.Partition;
import io.runnel.kernel.topic.Topic;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * ListOffsets: earliest, latest, max timestamp, or the first offset at or after a timestamp.
 * Each lookup runs on the shard that owns the partition (it reads the indexes); the answers are
 * gathered on the connection's shard.
 */
public final class ListOffsetsHandler
{
    private final Reactor reactor;
    private final BrokerServices services;

    public ListOffsetsHandler(final Reactor reactor, final BrokerServices services)
    {
        this.reactor = reactor;
        this.services = services;
    }

    public void handle(final RequestContext context)
    {
        final ListOffsetsRequestData request = (ListOffsetsRequestData)ControlMessages.readRequest(
            ApiKeys.LIST_OFFSETS, context.apiVersion(), context.body());
        final ListOffsetsResponseData response = new ListOffsetsResponseData();
        final List<Runnable> lookups = new ArrayList<>();
        final int[] pending = {1};
        final Runnable done = () ->
        {
            if (--pending[0] == 0)
            {
                context.respond(response);
            }
        };
        for (final ListOffsetsRequestData.ListOffsetsTopic requestTopic : request.topics())
        {
            final ListOffsetsResponseData.ListOffsetsTopicResponse topicResponse =
                new ListOffsetsResponseData.ListOffsetsTopicResponse().setName(requestTopic.name());
            response.topics().add(topicResponse);
            final Topic topic = services.logManager().registry().snapshot().topic(requestTopic.name());
            for (final ListOffsetsRequestData.ListOffsetsPartition requestPartition : requestTopic.partitions())
            {
                final ListOffsetsResponseData.ListOffsetsPartitionResponse partitionResponse =
                    new ListOffsetsResponseData.ListOffsetsPartitionResponse()
                        .setPartitionIndex(requestPartition.partitionIndex())
                        .setOffset(-1).setTimestamp(-1).setLeaderEpoch(0);
                topicResponse.partitions().add(partitionResponse);
                final Partition partition = topic == null ? null : topic.partition(requestPartition.partitionIndex());
                if (partition == null)
                {
                    partitionResponse.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
                    continue;
                }
                pending[0]++;
                final long timestamp = requestPartition.timestamp();
                lookups.add(() -> reactor.runOn(partition.shard(), owner -> lookup(owner, partition, timestamp, partitionResponse, done)));
            }
        }
        lookups.forEach(Runnable::run);
        done.run();
    }

    /** Runs on the owning shard. */
    private void lookup(final Shard owner, final Partition partition, final long timestamp,
        final ListOffsetsResponseData.ListOffsetsPartitionResponse out, final Runnable done)
    {
        final PartitionLog log = partition.log();
        if (log == null)
        {
            out.setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER.code());
        }
        else
        {
            final long[] result = new long[2];
            log.offsetForTimestamp(timestamp, result);
            out.setOffset(result[0]).setTimestamp(result[1]);
        }
        services.reactor(owner.id()).reply(reactor, done);
    }
}
