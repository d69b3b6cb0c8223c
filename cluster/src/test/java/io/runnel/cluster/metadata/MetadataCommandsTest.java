package io.runnel.cluster.metadata;

import java.util.List;

import io.runnel.cluster.metadata.MetadataCommand.AllocateProducerIds;
import io.runnel.cluster.metadata.MetadataCommand.AlterTopicConfigs;
import io.runnel.cluster.metadata.MetadataCommand.BrokerHeartbeat;
import io.runnel.cluster.metadata.MetadataCommand.ConfigChange;
import io.runnel.cluster.metadata.MetadataCommand.ConfigEntry;
import io.runnel.cluster.metadata.MetadataCommand.CreatePartitions;
import io.runnel.cluster.metadata.MetadataCommand.CreateTopics;
import io.runnel.cluster.metadata.MetadataCommand.DeleteTopics;
import io.runnel.cluster.metadata.MetadataCommand.NewTopic;
import io.runnel.cluster.metadata.MetadataCommand.PartitionCount;
import io.runnel.cluster.metadata.MetadataCommand.RegisterBroker;
import io.runnel.cluster.metadata.MetadataCommand.SubscribeImage;
import io.runnel.cluster.metadata.MetadataCommand.TopicConfigChanges;
import io.runnel.cluster.metadata.MetadataCommand.TopicReference;
import io.runnel.cluster.metadata.MetadataImage.Endpoint;
import io.runnel.cluster.metadata.MetadataReply.BrokerHeartbeatReply;
import io.runnel.cluster.metadata.MetadataReply.BrokerRegistered;
import io.runnel.cluster.metadata.MetadataReply.CommandResult;
import io.runnel.cluster.metadata.MetadataReply.ProducerIdBlock;
import io.runnel.cluster.metadata.MetadataReply.TopicResult;
import org.agrona.ExpandableArrayBuffer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

class MetadataCommandsTest
{
    static List<MetadataCommand> commands()
    {
        return List.of(
            new RegisterBroker(1, 3, new Uuid(5, 6), "cluster", "rack-a", List.of(
                new Endpoint("PLAINTEXT", "127.0.0.1", 9092, SecurityProtocol.PLAINTEXT.id),
                new Endpoint("INTERNAL", "10.0.0.3", 9094, SecurityProtocol.SASL_SSL.id))),
            new BrokerHeartbeat(2, 3, 17, true, false, 99),
            new CreateTopics(3, true, List.of(
                new NewTopic("a", new Uuid(1, 2), 6, (short)3, List.of(new ConfigEntry("retention.ms", "1"), new ConfigEntry("x", ""))),
                new NewTopic("b", new Uuid(3, 4), 1, (short)1, List.of()))),
            new DeleteTopics(4, List.of(new TopicReference("by-name", Uuid.ZERO_UUID), new TopicReference("", new Uuid(7, 8)))),
            new CreatePartitions(5, false, List.of(new PartitionCount("a", 12))),
            new AlterTopicConfigs(6, false, List.of(new TopicConfigChanges("a",
                List.of(new ConfigChange("retention.ms", "5"), new ConfigChange("cleanup.policy", null))))),
            new AllocateProducerIds(7, 3, 17),
            new MetadataCommand.AlterPartition(9, 2, 17, new Uuid(1, 2), 4, 3, List.of(2, 1, 3), List.of(2, 1)),
            new MetadataCommand.ElectLeader(10, true, "a", 5),
            new MetadataCommand.ElectLeader(11, false, "b", 0),
            new MetadataCommand.AlterPartitionReassignment(12, "a", 3, List.of(4, 2, 1), true),
            new MetadataCommand.AlterPartitionReassignment(13, "b", 0, null, false),
            new SubscribeImage(8));
    }

    static List<MetadataReply> replies()
    {
        return List.of(
            new CommandResult(1, (short)0, "", List.of(new TopicResult("a", new Uuid(1, 2), (short)36, "exists"))),
            new BrokerRegistered(2, 44, "cluster"),
            new BrokerHeartbeatReply(3, true, false, true),
            new ProducerIdBlock(4, 2000, 1000));
    }

    @ParameterizedTest
    @MethodSource("commands")
    void everyCommandDecodesToWhatWasEncoded(final MetadataCommand command) throws MalformedCommandException
    {
        final MetadataCommands codec = new MetadataCommands();
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(64);
        final int offset = 13;

        final int length = codec.encode(command, buffer, offset);

        assertEquals(command, codec.decode(buffer, offset, length));
        assertEquals(command.correlationId(), MetadataCommands.peekCorrelationId(buffer, offset, length));
    }

    @ParameterizedTest
    @MethodSource("replies")
    void everyReplyDecodesToWhatWasEncoded(final MetadataReply reply)
    {
        final MetadataReplies codec = new MetadataReplies();
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(64);

        codec.encode(reply, buffer, 5, true);

        assertEquals(reply, codec.decode(buffer, 5));
    }
}
