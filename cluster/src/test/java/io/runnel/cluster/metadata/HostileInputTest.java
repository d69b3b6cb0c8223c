package io.runnel.cluster.metadata;

import java.util.List;
import java.util.Random;

import io.runnel.cluster.metadata.MetadataCommand.ConfigEntry;
import io.runnel.cluster.metadata.MetadataCommand.CreateTopics;
import io.runnel.cluster.metadata.MetadataCommand.NewTopic;
import io.runnel.cluster.metadata.MetadataReply.CommandResult;
import io.runnel.codecs.metadata.CreateTopicsEncoder;
import io.runnel.codecs.metadata.MessageHeaderEncoder;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HostileInputTest
{
    private static final long CORRELATION_ID = 0x0102_0304_0506_0708L;
    private static final int FUZZ_ROUNDS = 3_000;

    private final MetadataTestContext context = new MetadataTestContext();
    private final MetadataCommands commands = new MetadataCommands();
    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(1024);
    private int validLength;

    @BeforeEach
    void brokersAndAValidCommand()
    {
        context.startBrokers(3);
        validLength = commands.encode(new CreateTopics(CORRELATION_ID, false, List.of(
            new NewTopic("hostile", context.nextTopicId(), 3, (short)2, List.of(new ConfigEntry("retention.ms", "1000"))))), buffer, 0);
    }

    @Test
    void unknownTemplateIdGetsInvalidRequest()
    {
        buffer.putShort(2, (short)999, MessageHeaderEncoder.BYTE_ORDER);

        final CommandResult result = (CommandResult)context.sendRaw(1, buffer, 0, validLength);

        assertEquals(CORRELATION_ID, result.correlationId());
        assertEquals(Errors.INVALID_REQUEST, result.error());
        assertTrue(result.message().contains("999"), result.message());
    }

    @Test
    void aRecordSentAsACommandGetsInvalidRequest()
    {
        final int length = new MetadataRecordEncoder().removeTopic(buffer, 0, CORRELATION_ID, context.nextTopicId());

        final CommandResult result = (CommandResult)context.sendRaw(1, buffer, 0, length);

        assertEquals(Errors.INVALID_REQUEST, result.error());
    }

    @Test
    void everyTruncationIsAnsweredOrDroppedAndChangesNothing()
    {
        final MetadataImage before = context.image();
        for (int length = 0; length < validLength; length++)
        {
            final MetadataReply reply = context.sendRaw(1, buffer, 0, length);
            if (length >= MessageHeaderEncoder.ENCODED_LENGTH + Long.BYTES)
            {
                assertEquals(Errors.INVALID_REQUEST, ((CommandResult)reply).error(), "cut at " + length);
            }
            else
            {
                assertNull(reply, "no correlation id to answer at " + length);
            }
        }
        assertEquals(before, context.image());

        assertEquals(Errors.NONE, ((CommandResult)context.sendRaw(1, buffer, 0, validLength)).topics().get(0).error(),
            "the whole command still works");
    }

    @Test
    void groupCountPointingPastTheEndIsAnInvalidRequest()
    {
        final int topicsCountOffset = MessageHeaderEncoder.ENCODED_LENGTH + CreateTopicsEncoder.BLOCK_LENGTH + 2;
        buffer.putShort(topicsCountOffset, (short)60_000, MessageHeaderEncoder.BYTE_ORDER);

        final CommandResult result = (CommandResult)context.sendRaw(1, buffer, 0, validLength);

        assertEquals(Errors.INVALID_REQUEST, result.error());
        assertNull(context.image().topic("hostile"));
    }

    @Test
    void booleanOtherThanZeroOrOneIsAnInvalidRequest()
    {
        buffer.putByte(MessageHeaderEncoder.ENCODED_LENGTH + Long.BYTES, (byte)7);

        assertEquals(Errors.INVALID_REQUEST, ((CommandResult)context.sendRaw(1, buffer, 0, validLength)).error());
    }

    @Test
    void shortBlockLengthIsAnInvalidRequest()
    {
        buffer.putShort(0, (short)Long.BYTES, MessageHeaderEncoder.BYTE_ORDER);

        assertEquals(Errors.INVALID_REQUEST, ((CommandResult)context.sendRaw(1, buffer, 0, validLength)).error());
    }

    @Test
    void anotherSchemaIsDroppedWithoutAnAnswer()
    {
        buffer.putShort(4, (short)1, MessageHeaderEncoder.BYTE_ORDER);

        assertNull(context.sendRaw(1, buffer, 0, validLength));
        assertNull(context.image().topic("hostile"));
    }

    @Test
    void commandLongerThanTheHostsCapGetsMessageTooLarge()
    {
        final int oversize = MetadataLimits.MIN_MESSAGE_LENGTH + 1;
        buffer.checkLimit(oversize);

        final CommandResult result = (CommandResult)context.sendRaw(1, buffer, 0, oversize);

        assertEquals(CORRELATION_ID, result.correlationId());
        assertEquals(Errors.MESSAGE_TOO_LARGE, result.error());
    }

    @Test
    void replyThatWouldExceedTheCapLosesItsPerTopicMessages()
    {
        // Three names that fill a command almost to the cap: each topic's error message would push the reply over it.
        final String longName = "x".repeat(43_600);
        final int length = commands.encode(new CreateTopics(CORRELATION_ID, false, List.of(
            new NewTopic(longName + "a", context.nextTopicId(), 1, (short)1, List.of()),
            new NewTopic(longName + "b", context.nextTopicId(), 1, (short)1, List.of()),
            new NewTopic(longName + "c", context.nextTopicId(), 1, (short)1, List.of()))), buffer, 0);
        assertTrue(length <= MetadataLimits.MIN_MESSAGE_LENGTH, "command of " + length + " bytes");

        final CommandResult result = (CommandResult)context.sendRaw(1, buffer, 0, length);

        assertEquals(Errors.INVALID_TOPIC_EXCEPTION, result.topics().get(0).error());
        assertEquals("", result.topics().get(0).message(), "messages dropped to fit");
        final int replyLength = context.out.events.get(context.out.events.size() - 1).bytes().length;
        assertTrue(replyLength <= MetadataLimits.MIN_MESSAGE_LENGTH, "reply of " + replyLength + " bytes");
    }

    @Test
    void randomBytesNeverEscapeAsExceptionsNorChangeState()
    {
        final Random random = new Random(20261202L);
        final MetadataImage before = context.image();
        final UnsafeBuffer garbage = new UnsafeBuffer(new byte[512]);
        for (int round = 0; round < FUZZ_ROUNDS; round++)
        {
            final int length = random.nextInt(garbage.capacity());
            final byte[] bytes = new byte[length];
            random.nextBytes(bytes);
            garbage.putBytes(0, bytes);
            if (round % 2 == 0 && length >= 8)
            {
                // Half the rounds look like ours, so decoding gets past the header.
                garbage.putShort(4, (short)io.runnel.codecs.metadata.MessageHeaderDecoder.SCHEMA_ID, MessageHeaderEncoder.BYTE_ORDER);
                garbage.putShort(2, (short)(1 + random.nextInt(8)), MessageHeaderEncoder.BYTE_ORDER);
                garbage.putShort(0, (short)(8 + random.nextInt(40)), MessageHeaderEncoder.BYTE_ORDER);
            }
            context.sendRaw(1, garbage, 0, length);
        }
        assertNotNull(context.image());
        assertEquals(before.brokers(), context.image().brokers(), "random commands register no broker");
    }

    @Test
    void mutatedValidCommandsNeverEscapeAsExceptions()
    {
        final Random random = new Random(42);
        final byte[] valid = new byte[validLength];
        buffer.getBytes(0, valid);
        for (int round = 0; round < FUZZ_ROUNDS; round++)
        {
            final byte[] mutated = valid.clone();
            for (int flips = 1 + random.nextInt(4); flips > 0; flips--)
            {
                mutated[random.nextInt(mutated.length)] = (byte)random.nextInt(256);
            }
            context.sendRaw(1, new UnsafeBuffer(mutated), 0, mutated.length);
        }
        assertNotNull(context.image());
    }
}
