package io.runnel.cluster.metadata;

import java.util.ArrayList;
import java.util.List;

import io.runnel.cluster.metadata.MetadataReply.BrokerHeartbeatReply;
import io.runnel.cluster.metadata.MetadataReply.BrokerRegistered;
import io.runnel.cluster.metadata.MetadataReply.CommandResult;
import io.runnel.cluster.metadata.MetadataReply.ProducerIdBlock;
import io.runnel.cluster.metadata.MetadataReply.TopicResult;
import io.runnel.codecs.metadata.BooleanType;
import io.runnel.codecs.metadata.BrokerHeartbeatReplyDecoder;
import io.runnel.codecs.metadata.BrokerHeartbeatReplyEncoder;
import io.runnel.codecs.metadata.BrokerRegisteredDecoder;
import io.runnel.codecs.metadata.BrokerRegisteredEncoder;
import io.runnel.codecs.metadata.CommandResultDecoder;
import io.runnel.codecs.metadata.CommandResultEncoder;
import io.runnel.codecs.metadata.MessageHeaderDecoder;
import io.runnel.codecs.metadata.MessageHeaderEncoder;
import io.runnel.codecs.metadata.ProducerIdBlockDecoder;
import io.runnel.codecs.metadata.ProducerIdBlockEncoder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Encodes the quorum's replies (the state machine's side) and decodes them (the broker's side).
 * One instance per thread: the flyweights are reused.
 */
public final class MetadataReplies
{
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final CommandResultEncoder resultEncoder = new CommandResultEncoder();
    private final BrokerRegisteredEncoder registeredEncoder = new BrokerRegisteredEncoder();
    private final BrokerHeartbeatReplyEncoder heartbeatEncoder = new BrokerHeartbeatReplyEncoder();
    private final ProducerIdBlockEncoder producerIdsEncoder = new ProducerIdBlockEncoder();
    private final CommandResultDecoder resultDecoder = new CommandResultDecoder();
    private final BrokerRegisteredDecoder registeredDecoder = new BrokerRegisteredDecoder();
    private final BrokerHeartbeatReplyDecoder heartbeatDecoder = new BrokerHeartbeatReplyDecoder();
    private final ProducerIdBlockDecoder producerIdsDecoder = new ProducerIdBlockDecoder();

    /**
     * Writes {@code reply} at {@code offset}.
     *
     * @param withMessages false to leave every per-topic message out (what keeps a reply to a
     *                     command of many topics no longer than the command).
     * @return the message's length, header included.
     */
    public int encode(final MetadataReply reply, final MutableDirectBuffer buffer, final int offset, final boolean withMessages)
    {
        final int bodyLength;
        if (reply instanceof CommandResult result)
        {
            resultEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder)
                .correlationId(result.correlationId())
                .errorCode(result.errorCode());
            final CommandResultEncoder.TopicsEncoder topics = resultEncoder.topicsCount(result.topics().size());
            for (final TopicResult topic : result.topics())
            {
                topics.next();
                MetadataCommands.uuid(topics.topicId(), topic.topicId());
                topics.errorCode(topic.errorCode()).name(topic.name()).message(withMessages ? topic.message() : "");
            }
            bodyLength = resultEncoder.message(result.message()).encodedLength();
        }
        else if (reply instanceof BrokerRegistered registered)
        {
            bodyLength = registeredEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder)
                .correlationId(registered.correlationId())
                .brokerEpoch(registered.brokerEpoch())
                .clusterId(registered.clusterId())
                .encodedLength();
        }
        else if (reply instanceof BrokerHeartbeatReply heartbeat)
        {
            bodyLength = heartbeatEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder)
                .correlationId(heartbeat.correlationId())
                .isCaughtUp(MetadataCommands.bool(heartbeat.isCaughtUp()))
                .isFenced(MetadataCommands.bool(heartbeat.isFenced()))
                .shouldShutDown(MetadataCommands.bool(heartbeat.shouldShutDown()))
                .encodedLength();
        }
        else
        {
            final ProducerIdBlock block = (ProducerIdBlock)reply;
            bodyLength = producerIdsEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder)
                .correlationId(block.correlationId())
                .firstProducerId(block.firstProducerId())
                .size(block.size())
                .encodedLength();
        }
        return MessageHeaderEncoder.ENCODED_LENGTH + bodyLength;
    }

    /** @return the reply at {@code offset}, or null if the message is not a reply (a record, say). */
    public MetadataReply decode(final DirectBuffer buffer, final int offset)
    {
        headerDecoder.wrap(buffer, offset);
        if (headerDecoder.schemaId() != MessageHeaderDecoder.SCHEMA_ID)
        {
            return null;
        }
        final int bodyOffset = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        final int blockLength = headerDecoder.blockLength();
        final int version = headerDecoder.version();
        switch (headerDecoder.templateId())
        {
            case CommandResultDecoder.TEMPLATE_ID:
            {
                resultDecoder.wrap(buffer, bodyOffset, blockLength, version);
                final long correlationId = resultDecoder.correlationId();
                final short errorCode = resultDecoder.errorCode();
                final List<TopicResult> topics = new ArrayList<>();
                for (final CommandResultDecoder.TopicsDecoder topic : resultDecoder.topics())
                {
                    final var topicId = MetadataCommands.uuid(topic.topicId());
                    final short topicError = topic.errorCode();
                    final String name = topic.name();
                    topics.add(new TopicResult(name, topicId, topicError, topic.message()));
                }
                return new CommandResult(correlationId, errorCode, resultDecoder.message(), topics);
            }
            case BrokerRegisteredDecoder.TEMPLATE_ID:
                registeredDecoder.wrap(buffer, bodyOffset, blockLength, version);
                return new BrokerRegistered(registeredDecoder.correlationId(), registeredDecoder.brokerEpoch(), registeredDecoder.clusterId());
            case BrokerHeartbeatReplyDecoder.TEMPLATE_ID:
                heartbeatDecoder.wrap(buffer, bodyOffset, blockLength, version);
                return new BrokerHeartbeatReply(heartbeatDecoder.correlationId(),
                    heartbeatDecoder.isCaughtUp() == BooleanType.TRUE,
                    heartbeatDecoder.isFenced() == BooleanType.TRUE,
                    heartbeatDecoder.shouldShutDown() == BooleanType.TRUE);
            case ProducerIdBlockDecoder.TEMPLATE_ID:
                producerIdsDecoder.wrap(buffer, bodyOffset, blockLength, version);
                return new ProducerIdBlock(producerIdsDecoder.correlationId(), producerIdsDecoder.firstProducerId(), producerIdsDecoder.size());
            default:
                return null;
        }
    }
}
