package io.runnel.broker.tools;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;

/**
 * The records of one batch, one line each ({@code | offset: ... key: ... value: ... headers: [...]}),
 * decompressed by kafka-clients. Keys, values and header values print as UTF-8 text when they are
 * valid UTF-8 and as {@code 0x}-prefixed hex otherwise.
 */
final class RecordsPrinter
{
    private static final String INDENT = "| ";

    private RecordsPrinter()
    {
    }

    static void print(final BatchSummary summary, final ByteBuffer bytes, final DumpReport report)
    {
        if (!summary.crcValid() || !summary.knownCodec())
        {
            report.line(INDENT + "records not printed: the batch is corrupt");
            return;
        }
        try
        {
            for (final MutableRecordBatch batch : MemoryRecords.readableRecords(bytes).batches())
            {
                for (final Record record : batch)
                {
                    report.line(summary.control() ? controlLine(record) : dataLine(record, summary.logAppendTime()));
                }
            }
        }
        catch (final RuntimeException ex)
        {
            report.problem("corrupt", "position " + summary.position() + ": records cannot be read: " + ex.getMessage());
        }
    }

    private static String dataLine(final Record record, final boolean logAppendTime)
    {
        final StringBuilder line = new StringBuilder(128).append(INDENT)
            .append("offset: ").append(record.offset())
            .append(' ').append(logAppendTime ? "LogAppendTime" : "CreateTime").append(": ").append(record.timestamp())
            .append(" keySize: ").append(record.keySize())
            .append(" valueSize: ").append(record.valueSize())
            .append(" sequence: ").append(record.sequence())
            .append(" key: ").append(record.hasKey() ? text(record.key()) : "null")
            .append(" value: ").append(record.hasValue() ? text(record.value()) : "null")
            .append(" headers: [");
        final Header[] headers = record.headers();
        for (int i = 0; i < headers.length; i++)
        {
            line.append(i == 0 ? "" : ", ").append(headers[i].key()).append('=')
                .append(headers[i].value() == null ? "null" : text(ByteBuffer.wrap(headers[i].value())));
        }
        return line.append(']').toString();
    }

    private static String controlLine(final Record record)
    {
        final StringBuilder line = new StringBuilder(96).append(INDENT).append("offset: ").append(record.offset())
            .append(" CreateTime: ").append(record.timestamp());
        final ControlRecordType type = record.hasKey() ? ControlRecordType.parse(record.key()) : ControlRecordType.UNKNOWN;
        if (type == ControlRecordType.COMMIT || type == ControlRecordType.ABORT)
        {
            final EndTransactionMarker marker = EndTransactionMarker.deserialize(record);
            return line.append(" endTxnMarker: ").append(marker.controlType()).append(" coordinatorEpoch: ")
                .append(marker.coordinatorEpoch()).toString();
        }
        return line.append(" controlType: ").append(type).append(" valueSize: ").append(record.valueSize()).toString();
    }

    /** UTF-8 text if the bytes are valid UTF-8, else hex: a binary key must not garble the line. */
    static String text(final ByteBuffer bytes)
    {
        try
        {
            final CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(bytes.duplicate());
            return chars.toString();
        }
        catch (final CharacterCodingException ex)
        {
            final StringBuilder hex = new StringBuilder(2 + bytes.remaining() * 2).append("0x");
            for (int i = bytes.position(); i < bytes.limit(); i++)
            {
                hex.append(Character.forDigit((bytes.get(i) >> 4) & 0xF, 16)).append(Character.forDigit(bytes.get(i) & 0xF, 16));
            }
            return hex.toString();
        }
    }
}
