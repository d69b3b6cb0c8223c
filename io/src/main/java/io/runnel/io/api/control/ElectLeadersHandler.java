package io.runnel.io.api.control;

import java.util.ArrayList;
import java.util.List;

import io.runnel.io.api.ApiShard;
import io.runnel.io.api.BrokerServices;
import io.runnel.io.api.RequestContext;
import io.runnel.kernel.conductor.TopicResult;
import io.runnel.kernel.topic.Leadership;
import io.runnel.kernel.topic.Partition;
import io.runnel.kernel.topic.Topic;
import org.apache.kafka.common.message.ElectLeadersRequestData;
import org.apache.kafka.common.message.ElectLeadersResponseData;
import org.apache.kafka.common.message.ElectLeadersResponseData.PartitionResult;
import org.apache.kafka.common.message.ElectLeadersResponseData.ReplicaElectionResult;
import org.apache.kafka.common.protocol.Errors;

/**
 * ElectLeaders (KIP-183, KIP-460; {@code kafka-leader-election}): each partition named, or every
 * partition when none is, is asked of the metadata quorum one by one (through the conductor), and
 * the response goes out once all are answered. PREFERRED moves a partition's leadership to its
 * first replica when that one is in sync; UNCLEAN gives a leaderless partition any live replica.
 * For every partition the answer carries Kafka's code: NONE, ELECTION_NOT_NEEDED,
 * PREFERRED_LEADER_NOT_AVAILABLE or ELIGIBLE_LEADERS_NOT_AVAILABLE, UNKNOWN_TOPIC_OR_PARTITION. As
 * in Kafka, "every partition" answers only the partitions an election was tried for (for PREFERRED,
 * those not led by their preferred replica; for UNCLEAN, those without a leader).
 */
final class ElectLeadersHandler
{
    /** ElectionType on the wire (v1+; v0 is always preferred). */
    private static final byte PREFERRED = 0;
    private static final byte UNCLEAN = 1;

    private final ApiShard local;
    private final BrokerServices services;

    ElectLeadersHandler(final ApiShard local, final BrokerServices services)
    {
        this.local = local;
        this.services = services;
    }

    void handle(final RequestContext context, final ElectLeadersRequestData request)
    {
        final ElectLeadersResponseData response = new ElectLeadersResponseData().setErrorCode(Errors.NONE.code());
        final byte type = context.apiVersion() == 0 ? PREFERRED : request.electionType();
        if (type != PREFERRED && type != UNCLEAN)
        {
            context.respond(response.setErrorCode(Errors.INVALID_REQUEST.code()));
            return;
        }
        final boolean unclean = type == UNCLEAN;
        final ConductorAnswers answers = new ConductorAnswers(context, response);
        final var snapshot = services.logManager().registry().snapshot();
        if (request.topicPartitions() == null)
        {
            for (final Topic topic : snapshot.topics())
            {
                final List<Integer> candidates = new ArrayList<>();
                for (int p = 0; p < topic.partitionCount(); p++)
                {
                    if (needsElection(topic.partition(p).leadership(), unclean))
                    {
                        candidates.add(p);
                    }
                }
                if (!candidates.isEmpty())
                {
                    ask(topic.name(), topic, candidates, unclean, response, answers);
                }
            }
        }
        else
        {
            for (final ElectLeadersRequestData.TopicPartitions requested : request.topicPartitions())
            {
                ask(requested.topic(), snapshot.topic(requested.topic()), requested.partitions(), unclean, response, answers);
            }
        }
        answers.allAsked();
    }

    private static boolean needsElection(final Leadership leadership, final boolean unclean)
    {
        return unclean ? leadership.leader() == Leadership.NO_LEADER : leadership.leader() != leadership.replicas().get(0);
    }

    private void ask(final String name, final Topic topic, final List<Integer> partitions, final boolean unclean,
        final ElectLeadersResponseData response, final ConductorAnswers answers)
    {
        final ReplicaElectionResult topicResult = new ReplicaElectionResult().setTopic(name);
        response.replicaElectionResults().add(topicResult);
        for (final int index : partitions)
        {
            final PartitionResult result = new PartitionResult().setPartitionId(index).setErrorCode(Errors.NONE.code());
            topicResult.partitionResult().add(result);
            final Partition partition = topic == null ? null : topic.partition(index);
            if (partition == null)
            {
                result.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code()).setErrorMessage("no partition " + name + "-" + index);
                continue;
            }
            local.conductor().electLeader(name, index, unclean, answers.expect(outcome ->
            {
                if (!outcome.isDone())
                {
                    result.setErrorCode(errorOf(outcome, unclean).code()).setErrorMessage(outcome.message());
                }
            }));
        }
    }

    private static Errors errorOf(final TopicResult outcome, final boolean unclean)
    {
        if (outcome.outcome() == TopicResult.Outcome.NOT_ELECTABLE)
        {
            return unclean ? Errors.ELIGIBLE_LEADERS_NOT_AVAILABLE : Errors.PREFERRED_LEADER_NOT_AVAILABLE;
        }
        return ConductorAnswers.errorOf(outcome);
    }
}
