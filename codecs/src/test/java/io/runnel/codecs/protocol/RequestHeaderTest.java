package io.runnel.codecs.protocol;

import static io.runnel.codecs.TestBatches.offHeap;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;

import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.types.RawTaggedField;
import org.junit.jupiter.api.Test;

class RequestHeaderTest
{
    private final RequestHeader header = new RequestHeader();

    private static ByteBuffer serialize(final ApiKeys api, final short version, final int correlationId, final String clientId,
        final boolean withTaggedField)
    {
        final RequestHeaderData data = new RequestHeaderData().setRequestApiKey(api.id).setRequestApiVersion(version)
            .setCorrelationId(correlationId).setClientId(clientId);
        if (withTaggedField)
        {
            data.unknownTaggedFields().add(new RawTaggedField(5, new byte[] {1, 2, 3, 4}));
        }
        return ProduceRequestDecoderTest.serialize(data, api.requestHeaderVersion(version));
    }

    @Test
    void flexibleHeaderV2IsParsedIncludingClientIdAndTaggedFields()
    {
        final ByteBuffer bytes = serialize(ApiKeys.PRODUCE, (short)11, 77, "producer-1", true);
        final UnsafeBuffer buffer = offHeap(bytes, 4, 0);

        header.wrap(buffer, 4, bytes.remaining()).parseRest(ApiKeys.PRODUCE);

        assertEquals(ApiKeys.PRODUCE.id, header.apiKey());
        assertEquals(11, header.apiVersion());
        assertEquals(77, header.correlationId());
        assertEquals("producer-1", header.clientId());
        assertEquals(bytes.remaining(), header.headerLength());
    }

    @Test
    void headerV1HasNoTaggedFields()
    {
        final short version = 0;
        assertEquals(1, ApiKeys.API_VERSIONS.requestHeaderVersion(version));
        final ByteBuffer bytes = serialize(ApiKeys.API_VERSIONS, version, 5, "cli", false);
        final UnsafeBuffer buffer = offHeap(bytes, 0, 0);

        header.wrap(buffer, 0, bytes.remaining()).parseRest(ApiKeys.API_VERSIONS);

        assertEquals("cli", header.clientId());
        assertEquals(bytes.remaining(), header.headerLength());
    }

    @Test
    void nullClientIdIsNull()
    {
        final ByteBuffer bytes = serialize(ApiKeys.FETCH, (short)12, 1, null, false);
        final UnsafeBuffer buffer = offHeap(bytes, 0, 0);

        header.wrap(buffer, 0, bytes.remaining()).parseRest(ApiKeys.FETCH);

        assertNull(header.clientId());
        assertEquals(bytes.remaining(), header.headerLength());
    }

    @Test
    void fixedFieldsAreReadableBeforeTheApiIsKnown()
    {
        final ByteBuffer bytes = serialize(ApiKeys.METADATA, (short)12, 0x01020304, "x", false);
        header.wrap(offHeap(bytes, 0, 0), 0, bytes.remaining());

        assertEquals(ApiKeys.METADATA.id, header.apiKey());
        assertEquals(12, header.apiVersion());
        assertEquals(0x01020304, header.correlationId());
    }

    @Test
    void frameShorterThanTheFixedPrefixIsMalformed()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(7));
        assertThrows(MalformedRequestException.class, () -> header.wrap(buffer, 0, 7));
    }

    @Test
    void everyTruncationOfAFlexibleHeaderIsMalformed()
    {
        final ByteBuffer bytes = serialize(ApiKeys.PRODUCE, (short)9, 3, "client", true);
        for (int length = RequestHeader.FIXED_PREFIX; length < bytes.remaining(); length++)
        {
            final UnsafeBuffer exact = offHeap(bytes.duplicate().limit(length), 0, 0);
            final int l = length;
            assertThrows(MalformedRequestException.class,
                () -> header.wrap(exact, 0, l).parseRest(ApiKeys.PRODUCE), "length " + length);
        }
    }
}
