package io.runnel.io.api.control;

import java.util.List;

import io.runnel.codecs.protocol.ControlMessages;
import io.runnel.io.api.ApiShard;
import io.runnel.io.api.BrokerServices;
import io.runnel.io.api.RequestContext;
import io.runnel.kernel.conductor.Conductor;
import io.runnel.kernel.log.PartitionLog;
import io.runnel.kernel.log.Segment;
import io.runnel.kernel.topic.Partition;
import io.runnel.kernel.topic.Topic;
import org.apache.kafka.common.message.DeleteRecordsRequestData;
import org.apache.kafka.common.message.DeleteRecordsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DeleteRecords (kafka-delete-records, Admin.deleteRecords): each partition's log start offset moves
 * up to the requested offset (-1: the high watermark) on its owning shard, and the segments wholly
 * below it are retired. A partition is answered once the conductor has checkpointed the new log
 * start offset, so the deletion holds after a restart or a kill -9. As in Kafka, a topic whose
 * cleanup.policy lacks "delete" refuses with POLICY_VIOLATION, and an offset past the high
 * watermark with OFFSET_OUT_OF_RANGE.
 */
public final class DeleteRecordsHandler
{
    /** The offset that means "up to the high watermark". */
    private static final long HIGH_WATERMARK = -1;
    private static final Logger LOG = LoggerFactory.getLogger(DeleteRecordsHandler.class);

    private final ApiShard local;
    private final BrokerServices services;

    public DeleteRecordsHandler(final ApiShard local, final BrokerServices services)
    {
        this.local = local;
        this.services = services;
    }

    public void handle(final RequestContext context)
    {
        final DeleteRecordsRequestData request = (DeleteRecordsRequestData)ControlMessages.readRequest(
            ApiKeys.DELETE_RECORDS, context.apiVersion(), context.body());
        final DeleteRecordsResponseData response = new DeleteRecordsResponseData();
        final PartitionLookups lookups = new PartitionLookups(local, context, response);
        final var snapshot = services.logManager().registry().snapshot();
        for (final DeleteRecordsRequestData.DeleteRecordsTopic requestTopic : request.topics())
        {
            final DeleteRecordsResponseData.DeleteRecordsTopicResult topicResult =
                new DeleteRecordsResponseData.DeleteRecordsTopicResult().setName(requestTopic.name());
            response.topics().add(topicResult);
            final Topic topic = snapshot.topic(requestTopic.name());
            for (final DeleteRecordsRequestData.DeleteRecordsPartition requestPartition : requestTopic.partitions())
            {
                final DeleteRecordsResponseData.DeleteRecordsPartitionResult out = new DeleteRecordsResponseData.DeleteRecordsPartitionResult()
                    .setPartitionIndex(requestPartition.partitionIndex()).setLowWatermark(-1);
                topicResult.partitions().add(out);
                final Partition partition = topic == null ? null : topic.partition(requestPartition.partitionIndex());
                if (partition == null)
                {
                    out.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
                }
                else if (!partition.leadership().isLedBy(services.cluster().localNodeId()))
                {
                    out.setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER.code());
                }
                else if (requestPartition.offset() < HIGH_WATERMARK)
                {
                    out.setErrorCode(Errors.OFFSET_OUT_OF_RANGE.code());
                }
                else
                {
                    lookups.add(new Deletion(partition, requestPartition.offset(), out, services.logManager().conductor()));
                }
            }
        }
        lookups.dispatch();
    }

    /** One partition's deletion, run on its owning shard; answered from the conductor once checkpointed. */
    private static final class Deletion extends PartitionLookups.Lookup
    {
        private final long offset;
        private final DeleteRecordsResponseData.DeleteRecordsPartitionResult out;
        private final Conductor conductor;

        Deletion(final Partition partition, final long offset, final DeleteRecordsResponseData.DeleteRecordsPartitionResult out,
            final Conductor conductor)
        {
            super(partition);
            this.offset = offset;
            this.out = out;
            this.conductor = conductor;
        }

        @Override
        void lookUp(final Partition partition, final PartitionLog log)
        {
            if (!log.config().cleanupPolicy().delete())
            {
                out.setErrorCode(Errors.POLICY_VIOLATION.code());
                return;
            }
            final List<Segment> below = log.deleteRecordsBefore(offset == HIGH_WATERMARK ? log.highWatermark() : offset);
            if (below == null)
            {
                out.setErrorCode(Errors.OFFSET_OUT_OF_RANGE.code());
                return;
            }
            final long lowWatermark = log.logStartOffset();
            out.setLowWatermark(lowWatermark);
            LOG.info("{}: records below {} deleted on request; {} segment(s) retired", partition, lowWatermark, below.size());
            reportLater();
            conductor.retire(partition, below, log.config().fileDeleteDelayMs(), () -> conductor.send(reportTo(), report()));
        }

        @Override
        void answerError(final short errorCode)
        {
            out.setErrorCode(errorCode).setLowWatermark(-1);
        }
    }
}
