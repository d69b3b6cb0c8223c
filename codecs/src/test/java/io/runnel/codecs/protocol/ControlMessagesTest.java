package io.runnel.codecs.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;

import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.junit.jupiter.api.Test;

class ControlMessagesTest
{
    @Test
    void requestBodyIsReadWithKafkaClientsMessageClasses()
    {
        final ApiVersionsRequestData sent = new ApiVersionsRequestData().setClientSoftwareName("runnel-test")
            .setClientSoftwareVersion("1.0");
        final ByteBuffer body = ProduceRequestDecoderTest.serialize(sent, (short)3);

        final ApiMessage read = ControlMessages.readRequest(ApiKeys.API_VERSIONS, (short)3, body);

        assertEquals(sent, read);
    }

    @Test
    void truncatedRequestBodyIsMalformed()
    {
        final ByteBuffer body = ProduceRequestDecoderTest.serialize(
            new ApiVersionsRequestData().setClientSoftwareName("runnel-test").setClientSoftwareVersion("1.0"), (short)3);

        assertThrows(MalformedRequestException.class,
            () -> ControlMessages.readRequest(ApiKeys.API_VERSIONS, (short)3, body.limit(body.limit() - 3)));
    }

    @Test
    void apiVersionsResponseAlwaysUsesHeaderVersionZero()
    {
        final ApiVersionsResponseData response = new ApiVersionsResponseData().setThrottleTimeMs(0);

        final ByteBuffer frame = ControlMessages.writeResponse(ApiKeys.API_VERSIONS, (short)3, 99, response);

        assertEquals(frame.remaining() - 4, frame.getInt(0));
        assertEquals(99, frame.getInt(4));
        final ByteBufferAccessor accessor = new ByteBufferAccessor(frame.duplicate().position(8).slice());
        assertEquals(response, new ApiVersionsResponseData(accessor, (short)3));
        assertEquals(0, accessor.remaining());
    }

    @Test
    void flexibleResponseHasTaggedFieldsInItsHeader()
    {
        final MetadataResponseData response = new MetadataResponseData().setClusterId("c1").setControllerId(1);

        final ByteBuffer frame = ControlMessages.writeResponse(ApiKeys.METADATA, (short)12, 7, response);

        assertEquals(frame.remaining() - 4, frame.getInt(0));
        assertEquals(7, frame.getInt(4));
        assertEquals(0, frame.get(8));
        final ByteBufferAccessor accessor = new ByteBufferAccessor(frame.duplicate().position(9).slice());
        assertEquals(response, new MetadataResponseData(accessor, (short)12));
        assertEquals(0, accessor.remaining());
    }
}
