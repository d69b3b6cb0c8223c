package io.runnel.io.api.produce;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;

import io.runnel.codecs.batch.BatchValidator;
import io.runnel.codecs.protocol.ProduceRequestDecoder;
import io.runnel.io.api.ApiShard;
import io.runnel.io.api.BrokerServices;
import io.runnel.io.api.RequestContext;
import io.runnel.kernel.metadata.ClusterView;
import io.runnel.kernel.topic.Leadership;
import io.runnel.kernel.topic.Partition;
import io.runnel.kernel.topic.Topic;
import org.apache.kafka.common.protocol.Errors;

/**
 * Produce, on the shard that received it: decode in place, validate every partition's batch
 * (stateless checks: sizes, magic, CRC, record framing), then send each valid batch to the
 * shard that owns its partition. Nothing is forwarded until the whole request is validated, so
 * a rejected batch never reaches a log and a malformed request is refused whole.
 *
 * <p>Versions 3-13 are taken. Versions 0-2 are advertised, as Kafka 4 advertises them (KAFKA-18659:
 * librdkafka refuses a broker whose Produce range does not start at 0), but a request at one of them
 * is answered with UNSUPPORTED_VERSION for every partition, in that version's response layout, and
 * nothing is appended; with acks=0 there is no response to carry that, so the connection is closed.
 */
public final class ProduceHandler
{
    /** Operations kept for reuse; more than this many in flight at once on one shard are allocated and dropped. */
    private static final int MAX_POOLED_OPERATIONS = 1024;

    private final ApiShard local;
    private final ProduceRequestDecoder decoder = new ProduceRequestDecoder();
    private final BatchValidator validator;
    private final TopicCache topics;
    /** This broker's node id: a partition led by another node is NOT_LEADER_OR_FOLLOWER here. */
    private final int localNodeId;
    private final ClusterView cluster;
    private final ArrayDeque<ProduceOperation> operations = new ArrayDeque<>();

    public ProduceHandler(final ApiShard local, final BrokerServices services)
    {
        this.local = local;
        this.validator = new BatchValidator(services.config().validateCompressedRecords());
        this.topics = new TopicCache(services.logManager().registry());
        this.localNodeId = services.cluster().localNodeId();
        this.cluster = services.cluster();
    }

    public void handle(final RequestContext context)
    {
        decoder.decode(context.frame(), context.bodyOffset(), context.frameLength(), context.apiVersion());
        final short acks = decoder.acks();
        // Produce v0-2 is advertised, as Kafka 4 does for librdkafka's sake (KAFKA-18659), but not accepted.
        final boolean acceptedVersion = decoder.isAcceptedVersion();
        if (!acceptedVersion && acks == 0)
        {
            context.finishWithoutResponse();
            context.connection().close("produce v" + context.apiVersion()
                + " is not supported (Kafka 4 takes v3+), and acks=0 has no response to say so");
            return;
        }
        final ProduceOperation pooled = operations.poll();
        final ProduceOperation operation = (pooled != null ? pooled : new ProduceOperation(local, this))
            .begin(context, acks, decoder.timeoutMs(), decoder.topicCount(), decoder.totalPartitions());
        final boolean validAcks = acks == -1 || acks == 0 || acks == 1;
        final boolean transactional = decoder.hasTransactionalId();
        final boolean quorumContactLost = cluster.quorumContactLost();
        for (int t = 0; t < decoder.topicCount(); t++)
        {
            final Topic topic = topics.resolve(decoder, t);
            if (decoder.usesTopicIds())
            {
                operation.topic(t, topic, null, decoder.topicIdMostSignificantBits(t), decoder.topicIdLeastSignificantBits(t), decoder.partitionCount(t));
            }
            else
            {
                // An unknown topic is answered under the name it was asked for (an error path: a String is fine here).
                final byte[] requested = topic == null ? decoder.topicName(t).getBytes(StandardCharsets.UTF_8) : null;
                operation.topic(t, topic, requested, 0, 0, decoder.partitionCount(t));
            }
            final int first = decoder.firstPartition(t);
            for (int i = first; i < first + decoder.partitionCount(t); i++)
            {
                final int index = decoder.partitionIndex(i);
                final Partition partition = topic == null ? null : topic.partition(index);
                final short error;
                if (!acceptedVersion)
                {
                    error = Errors.UNSUPPORTED_VERSION.code();
                }
                else if (!validAcks)
                {
                    error = Errors.INVALID_REQUIRED_ACKS.code();
                }
                else if (transactional)
                {
                    // Transactions are a later issue; refuse plainly rather than write unmarked data.
                    error = Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code();
                }
                else if (topic == null)
                {
                    error = decoder.usesTopicIds() ? Errors.UNKNOWN_TOPIC_ID.code() : Errors.UNKNOWN_TOPIC_OR_PARTITION.code();
                }
                else if (partition == null)
                {
                    error = Errors.UNKNOWN_TOPIC_OR_PARTITION.code();
                }
                else if (!partition.leadership().isLedBy(localNodeId)
                    || quorumContactLost && mayHaveAnotherLeader(partition.leadership()))
                {
                    error = Errors.NOT_LEADER_OR_FOLLOWER.code();
                }
                else
                {
                    error = validate(context, i);
                }
                // The validator's record timestamps of this batch; meaningful only when it was valid.
                operation.partition(i, index, partition, decoder.recordsOffset(i), decoder.recordsLength(i), error,
                    validator.minTimestamp(), validator.maxTimestamp());
            }
        }
        operation.dispatch();
    }

    /**
     * Whether the quorum may have elected another leader while this broker could not hear of it: an
     * in-sync replica other than this one exists. A partition only this broker holds keeps taking
     * writes; no other broker could lead it.
     */
    private boolean mayHaveAnotherLeader(final Leadership leadership)
    {
        final List<Integer> isr = leadership.isr();
        for (int i = 0, n = isr.size(); i < n; i++)
        {
            if (isr.get(i) != localNodeId)
            {
                return true;
            }
        }
        return false;
    }

    /** An operation whose every partition has reported back and whose request is answered. */
    void recycle(final ProduceOperation operation)
    {
        if (operations.size() < MAX_POOLED_OPERATIONS)
        {
            operations.add(operation);
        }
    }

    private short validate(final RequestContext context, final int flatPartition)
    {
        final int length = decoder.recordsLength(flatPartition);
        if (length <= 0)
        {
            return Errors.INVALID_RECORD.code();
        }
        // max.message.bytes is per topic and checked by the owning shard, which knows the topic's config.
        return switch (validator.validate(context.frame(), decoder.recordsOffset(flatPartition), length, Integer.MAX_VALUE))
        {
            // Transactions are a later issue: a transactional batch would open a transaction nobody can end.
            case OK -> validator.batch().isTransactional() ? Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code() : Errors.NONE.code();
            case UNSUPPORTED_MAGIC -> Errors.UNSUPPORTED_FOR_MESSAGE_FORMAT.code();
            case INVALID_RECORD -> Errors.INVALID_RECORD.code();
            case TOO_LARGE -> Errors.MESSAGE_TOO_LARGE.code();
            case CORRUPT -> Errors.CORRUPT_MESSAGE.code();
        };
    }
}
