package io.runnel.io.api.control;

import java.util.List;

import io.runnel.io.api.ApiShard;
import io.runnel.io.api.BrokerServices;
import io.runnel.io.api.RequestContext;
import io.runnel.kernel.topic.Leadership;
import io.runnel.kernel.topic.Partition;
import io.runnel.kernel.topic.Topic;
import io.runnel.kernel.topic.TopicRegistry;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData.ReassignablePartition;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData.ReassignableTopic;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData.ReassignablePartitionResponse;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData.ReassignableTopicResponse;
import org.apache.kafka.common.message.ListPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData.OngoingPartitionReassignment;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData.OngoingTopicReassignment;
import org.apache.kafka.common.protocol.Errors;

/**
 * Partition reassignment (KIP-455; {@code kafka-reassign-partitions}). AlterPartitionReassignments
 * asks the metadata quorum for each partition named, one by one through the conductor, and answers
 * once all are answered, with Kafka's code per partition: NONE, UNKNOWN_TOPIC_OR_PARTITION,
 * INVALID_REPLICA_ASSIGNMENT, NO_REASSIGNMENT_IN_PROGRESS, INVALID_REPLICATION_FACTOR (v1, when the
 * request forbids a change of replication factor). Where partitions do not replicate (a single node,
 * or a cluster with {@code runnel.replication.enable} off) a move to other replicas is
 * INVALID_REPLICA_ASSIGNMENT: nothing could copy the data. ListPartitionReassignments answers from
 * this broker's metadata: the partitions being reassigned, all or those named (unknown ones are left
 * out, as Kafka does), with their replicas, adding and removing replicas.
 */
final class ReassignmentHandler
{
    private final ApiShard local;
    private final BrokerServices services;

    ReassignmentHandler(final ApiShard local, final BrokerServices services)
    {
        this.local = local;
        this.services = services;
    }

    void alter(final RequestContext context, final AlterPartitionReassignmentsRequestData request)
    {
        final AlterPartitionReassignmentsResponseData response = new AlterPartitionReassignmentsResponseData()
            .setErrorCode(Errors.NONE.code());
        // v0 has no such field: a change of replication factor was always allowed (the field's default is true).
        final boolean allowReplicationFactorChange = context.apiVersion() < 1 || request.allowReplicationFactorChange();
        final ConductorAnswers answers = new ConductorAnswers(context, response);
        final TopicRegistry.Snapshot snapshot = services.logManager().registry().snapshot();
        for (final ReassignableTopic requested : request.topics())
        {
            final ReassignableTopicResponse topicResponse = new ReassignableTopicResponse().setName(requested.name());
            response.responses().add(topicResponse);
            final Topic topic = snapshot.topic(requested.name());
            for (final ReassignablePartition asked : requested.partitions())
            {
                final ReassignablePartitionResponse result = new ReassignablePartitionResponse()
                    .setPartitionIndex(asked.partitionIndex()).setErrorCode(Errors.NONE.code());
                topicResponse.partitions().add(result);
                final Partition partition = topic == null ? null : topic.partition(asked.partitionIndex());
                if (partition == null)
                {
                    fail(result, Errors.UNKNOWN_TOPIC_OR_PARTITION, "no partition " + requested.name() + "-" + asked.partitionIndex());
                    continue;
                }
                final String refused = refusedHere(asked.replicas(), partition.leadership().replicas());
                if (refused != null)
                {
                    fail(result, Errors.INVALID_REPLICA_ASSIGNMENT, refused);
                    continue;
                }
                final List<Integer> target = asked.replicas();
                local.conductor().reassignPartition(requested.name(), asked.partitionIndex(), target, allowReplicationFactorChange,
                    answers.expect(outcome ->
                    {
                        if (!outcome.isDone())
                        {
                            fail(result, ConductorAnswers.errorOf(outcome), outcome.message());
                        }
                    }));
            }
        }
        answers.allAsked();
    }

    /**
     * Why this broker refuses a target before asking the quorum, or null: partitions that do not
     * replicate cannot move, and no target may name more replicas than a topic may have (which also
     * keeps a hostile request's list within what a quorum command holds).
     */
    private String refusedHere(final List<Integer> target, final List<Integer> current)
    {
        if (target == null || target.equals(current))
        {
            return null;
        }
        final int mostReplicas = services.cluster().maxReplicationFactor();
        if (mostReplicas == 1)
        {
            return "partitions do not replicate between brokers here (runnel.replication.enable is off), so their replicas cannot move";
        }
        return target.size() > mostReplicas ? "The manual partition assignment names " + target.size() + " replicas; at most "
            + mostReplicas + " are taken." : null;
    }

    private static void fail(final ReassignablePartitionResponse result, final Errors error, final String message)
    {
        result.setErrorCode(error.code()).setErrorMessage(message);
    }

    void list(final RequestContext context, final ListPartitionReassignmentsRequestData request)
    {
        final ListPartitionReassignmentsResponseData response = new ListPartitionReassignmentsResponseData().setErrorCode(Errors.NONE.code());
        final TopicRegistry.Snapshot snapshot = services.logManager().registry().snapshot();
        if (request.topics() == null)
        {
            for (final Topic topic : snapshot.topics())
            {
                final OngoingTopicReassignment ongoing = new OngoingTopicReassignment().setName(topic.name());
                for (int i = 0; i < topic.partitionCount(); i++)
                {
                    addIfReassigning(ongoing, topic.partition(i));
                }
                addIfAny(response, ongoing);
            }
        }
        else
        {
            for (final ListPartitionReassignmentsRequestData.ListPartitionReassignmentsTopics requested : request.topics())
            {
                final Topic topic = snapshot.topic(requested.name());
                if (topic == null)
                {
                    continue;
                }
                final OngoingTopicReassignment ongoing = new OngoingTopicReassignment().setName(topic.name());
                for (final int index : requested.partitionIndexes())
                {
                    final Partition partition = topic.partition(index);
                    if (partition != null)
                    {
                        addIfReassigning(ongoing, partition);
                    }
                }
                addIfAny(response, ongoing);
            }
        }
        context.respond(response);
    }

    private static void addIfReassigning(final OngoingTopicReassignment ongoing, final Partition partition)
    {
        final Leadership leadership = partition.leadership();
        if (leadership.isReassigning())
        {
            ongoing.partitions().add(new OngoingPartitionReassignment()
                .setPartitionIndex(partition.index())
                .setReplicas(leadership.replicas())
                .setAddingReplicas(leadership.addingReplicas())
                .setRemovingReplicas(leadership.removingReplicas()));
        }
    }

    private static void addIfAny(final ListPartitionReassignmentsResponseData response, final OngoingTopicReassignment ongoing)
    {
        if (!ongoing.partitions().isEmpty())
        {
            response.topics().add(ongoing);
        }
    }
}
