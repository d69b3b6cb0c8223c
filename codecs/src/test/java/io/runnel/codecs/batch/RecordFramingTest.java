package io.runnel.codecs.batch;

import static io.runnel.codecs.TestBatches.offHeap;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import io.runnel.codecs.batch.BatchValidator.Result;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.utils.internals.BufferSupplier;
import org.apache.kafka.common.utils.internals.ByteBufferOutputStream;
import org.apache.kafka.common.utils.internals.CloseableIterator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The records inside a batch whose header and CRC are valid: each malformation of record framing
 * is refused (INVALID_RECORD, as Kafka 4.3.1 answers for an uncompressed batch), identically for
 * an uncompressed batch and for each codec, and every refused case is one kafka-clients' consumer
 * cannot read. A seeded fuzz then checks the converse: whatever the validator accepts, the
 * consumer reads whole, with the offsets the batch claims.
 */
class RecordFramingTest
{
    private static final int HEADER_SIZE = 61;
    private static final int MAX = 1 << 20;
    private static final byte[] K = "k".getBytes(StandardCharsets.UTF_8);
    private static final byte[] V = "v".getBytes(StandardCharsets.UTF_8);

    private final BatchValidator validator = new BatchValidator(true);

    static Stream<Compression> codecs()
    {
        return Stream.of(Compression.NONE, Compression.gzip().build(), Compression.snappy().build(), Compression.lz4().build(),
            Compression.zstd().build());
    }

    /** Record bytes as the v2 format lays them out, with every length under the test's control. */
    static final class Bytes
    {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Bytes i8(final int value)
        {
            out.write(value);
            return this;
        }

        Bytes varint(final int value)
        {
            int v = (value << 1) ^ (value >> 31);
            while ((v & ~0x7F) != 0)
            {
                out.write((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            out.write(v);
            return this;
        }

        Bytes varlong(final long value)
        {
            long v = (value << 1) ^ (value >> 63);
            while ((v & ~0x7FL) != 0)
            {
                out.write((int)((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            out.write((int)v);
            return this;
        }

        Bytes raw(final byte[] bytes)
        {
            out.write(bytes, 0, bytes.length);
            return this;
        }

        Bytes raw(final int... bytes)
        {
            for (final int b : bytes)
            {
                out.write(b);
            }
            return this;
        }

        /** attributes 0, timestamp delta 0, this offset delta. */
        Bytes start(final int offsetDelta)
        {
            return i8(0).varlong(0).varint(offsetDelta);
        }

        byte[] get()
        {
            return out.toByteArray();
        }
    }

    static Bytes bytes()
    {
        return new Bytes();
    }

    /** A record: its body prefixed with the body's true length. */
    static byte[] record(final byte[] body)
    {
        return bytes().varint(body.length).raw(body).get();
    }

    /** A record whose length field says {@code length}, whatever the body is. */
    static byte[] record(final int length, final byte[] body)
    {
        return bytes().varint(length).raw(body).get();
    }

    /** A well-formed record: key, value and {@code headers} headers ("hk" = "hv"). */
    static byte[] good(final int offsetDelta, final int headers)
    {
        final Bytes body = bytes().start(offsetDelta).varint(1).raw(K).varint(5).raw("value".getBytes(StandardCharsets.UTF_8))
            .varint(headers);
        for (int h = 0; h < headers; h++)
        {
            body.varint(2).raw("hk".getBytes(StandardCharsets.UTF_8)).varint(2).raw("hv".getBytes(StandardCharsets.UTF_8));
        }
        return record(body.get());
    }

    static byte[] concat(final byte[]... parts)
    {
        final Bytes out = bytes();
        for (final byte[] part : parts)
        {
            out.raw(part);
        }
        return out.get();
    }

    /** A malformation: the count the header declares, the (uncompressed) records section, and whether it is refused. */
    record Case(String name, int count, byte[] section, boolean refused)
    {
        @Override
        public String toString()
        {
            return name;
        }
    }

    static List<Case> cases()
    {
        final byte[] body = bytes().start(0).varint(1).raw(K).varint(1).raw(V).varint(0).get();
        final List<Case> cases = new ArrayList<>();
        // Well-formed, for contrast (and what Kafka and kafka-clients read as null: any negative length).
        cases.add(new Case("two good records", 2, concat(good(0, 0), good(1, 2)), false));
        cases.add(new Case("key length -2 reads as a null key", 1, record(bytes().start(0).varint(-2).varint(1).raw(V).varint(0).get()), false));
        cases.add(new Case("value length -7 reads as a null value", 1, record(bytes().start(0).varint(-1).varint(-7).varint(0).get()), false));
        cases.add(new Case("header value length -2 reads as null", 1,
            record(bytes().start(0).varint(-1).varint(1).raw(V).varint(1).varint(1).raw('h').varint(-2).get()), false));
        cases.add(new Case("record attributes are not checked", 1, record(bytes().i8(0x7F).varlong(0).varint(0).varint(-1).varint(1).raw(V).varint(0).get()), false));

        // Record lengths that lie.
        cases.add(new Case("record length runs past the batch", 1, record(body.length + 50, body), true));
        cases.add(new Case("record length shorter than its fields", 1, record(body.length - 1, body), true));
        cases.add(new Case("record length longer than its fields (takes the next record's bytes)", 2,
            concat(record(body.length + 2, body), good(1, 0)), true));
        cases.add(new Case("record length zero", 1, concat(new byte[] {0}, body), true));
        cases.add(new Case("record length negative", 1, concat(bytes().varint(-5).get(), body), true));
        cases.add(new Case("record length a six-byte varint", 1, concat(new byte[] {(byte)0x80, (byte)0x80, (byte)0x80, (byte)0x80, (byte)0x80, 0x01}, body), true));
        cases.add(new Case("record ends inside its value", 1, bytes().varint(8).raw(bytes().start(0).varint(-1).varint(10).raw('v', 'v', 'v').get()).get(), true));

        // Header counts and header lengths.
        cases.add(new Case("header count larger than what remains", 1,
            record(bytes().start(0).varint(-1).varint(1).raw(V).varint(1000).get()), true));
        cases.add(new Case("header count larger than the record, within the batch", 2,
            concat(record(bytes().start(0).varint(-1).varint(1).raw(V).varint(1).get()), good(1, 0)), true));
        cases.add(new Case("header count negative", 1, record(bytes().start(0).varint(-1).varint(1).raw(V).varint(-1).get()), true));
        cases.add(new Case("header key null", 1, record(bytes().start(0).varint(-1).varint(1).raw(V).varint(1).varint(-1).varint(-1).get()), true));
        cases.add(new Case("header key length runs past", 1, record(bytes().start(0).varint(-1).varint(1).raw(V).varint(1).varint(40).raw('h').varint(-1).get()), true));
        cases.add(new Case("header value length runs past", 1, record(bytes().start(0).varint(-1).varint(1).raw(V).varint(1).varint(1).raw('h').varint(9).raw('x').get()), true));

        // Key and value lengths.
        cases.add(new Case("key length longer than the key", 1, record(bytes().start(0).varint(5).raw(K).varint(1).raw(V).varint(0).get()), true));
        cases.add(new Case("key length past the batch", 1, record(bytes().start(0).varint(500).raw(K).varint(1).raw(V).varint(0).get()), true));
        cases.add(new Case("key length shorter than the key", 1, record(bytes().start(0).varint(0).raw(K).varint(1).raw(V).varint(0).get()), true));
        cases.add(new Case("value length longer than the value", 1, record(bytes().start(0).varint(-1).varint(4).raw(V).varint(0).get()), true));
        cases.add(new Case("value length past the batch", 1, record(bytes().start(0).varint(-1).varint(400).raw(V).varint(0).get()), true));
        cases.add(new Case("timestamp delta an eleven-byte varlong", 1, record(bytes().i8(0)
            .raw(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01).varint(0).varint(-1).varint(1).raw(V).varint(0).get()), true));

        // The record count against the records present, and what follows the last one.
        cases.add(new Case("count 3, two records", 3, concat(good(0, 0), good(1, 0)), true));
        cases.add(new Case("count 1, two records", 1, concat(good(0, 0), good(1, 0)), true));
        cases.add(new Case("one trailing byte after the last record", 2, concat(good(0, 0), good(1, 0), new byte[] {0}), true));
        cases.add(new Case("trailing zeros after the last record", 1, concat(good(0, 1), new byte[8]), true));
        cases.add(new Case("no records at all, count 1", 1, new byte[0], true));
        return cases;
    }

    /** Offset deltas the consumer would read but mis-number: Runnel refuses them (Kafka stores them uncompressed). */
    static List<Case> offsetCases()
    {
        return List.of(
            new Case("offset delta 5 in a one-record batch", 1, good(5, 0), true),
            new Case("offset deltas 0, 0", 2, concat(good(0, 0), good(0, 0)), true));
    }

    static Stream<Arguments> everyCaseWithEveryCodec()
    {
        return codecs().flatMap(codec -> cases().stream().map(c -> Arguments.of(codec.type().name, c)));
    }

    static Stream<Arguments> offsetCasesWithEveryCodec()
    {
        return codecs().flatMap(codec -> offsetCases().stream().map(c -> Arguments.of(codec.type().name, c)));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("everyCaseWithEveryCodec")
    void malformedRecordsAreRefusedAlikeCompressedOrNotAndAreWhatTheConsumerCannotRead(final String codec, final Case c)
    {
        final byte[] batch = batch(compression(codec), c.count(), c.section());
        final Result result = validate(batch);
        if (c.refused())
        {
            assertEquals(Result.INVALID_RECORD, result);
            assertThrows(RuntimeException.class, () -> consumerReads(batch), "kafka-clients' consumer reads what was refused");
        }
        else
        {
            assertEquals(Result.OK, result);
            assertEquals(c.count(), consumerReads(batch).size());
        }
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("offsetCasesWithEveryCodec")
    void offsetDeltasThatDoNotCountUpFromZeroAreRefused(final String codec, final Case c)
    {
        assertEquals(Result.INVALID_RECORD, validate(batch(compression(codec), c.count(), c.section())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("codecs")
    void nullKeyAndValueAreRead(final Compression compression)
    {
        final byte[] section = record(bytes().start(0).varint(-2).varint(-7).varint(0).get());
        final List<Record> read = consumerReads(batch(compression, 1, section));
        assertEquals(Result.OK, validate(batch(compression, 1, section)));
        assertNull(read.get(0).key());
        assertNull(read.get(0).value());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("codecs")
    void aRecordClaimingAHugeBodyIsRefusedWithoutAllocatingIt(final Compression compression)
    {
        final byte[] section = concat(bytes().varint(Integer.MAX_VALUE - 8).get(), new byte[16]);
        assertEquals(Result.INVALID_RECORD, validate(batch(compression, 1, section)));
        final byte[] key = concat(bytes().varint(40).get(), bytes().start(0).varint(Integer.MAX_VALUE - 8).get(), new byte[30]);
        assertEquals(Result.INVALID_RECORD, validate(batch(compression, 1, key)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("codecs")
    void manyRecordsWithHeadersLargerThanTheCodecWindowAreAccepted(final Compression compression)
    {
        final List<byte[]> records = new ArrayList<>();
        final byte[] value = new byte[3000];
        Arrays.fill(value, (byte)'x');
        for (int i = 0; i < 40; i++)
        {
            final Bytes body = bytes().start(i).varint(2).raw("k".repeat(2).getBytes(StandardCharsets.UTF_8)).varint(value.length).raw(value)
                .varint(3);
            for (int h = 0; h < 3; h++)
            {
                body.varint(1).raw('h').varint(-1);
            }
            records.add(record(body.get()));
        }
        final byte[] batch = batch(compression, 40, concat(records.toArray(new byte[0][])));
        assertEquals(Result.OK, validate(batch));
        assertEquals(40, consumerReads(batch).size());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("codecs")
    void compressedMalformationsPassOnlyWhenInspectionIsOff(final Compression compression)
    {
        final byte[] batch = batch(compression, 2, concat(good(0, 0), good(1, 0), new byte[] {0}));
        final Result trusted = new BatchValidator(false).validate(offHeap(ByteBuffer.wrap(batch), 0, 0), 0, batch.length, MAX);
        assertEquals(compression.type() == CompressionType.NONE ? Result.INVALID_RECORD : Result.OK, trusted,
            "an uncompressed batch is always walked; a compressed one only with runnel.validate.compressed.records");
    }

    /**
     * Seeded fuzz over the uncompressed records section (bytes flipped, inserted, dropped, the count
     * moved), compressed or not: the validator always reaches a verdict, and whatever it accepts
     * the consumer reads whole, as many records as the header says, at consecutive offsets.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("codecs")
    void whateverIsAcceptedTheConsumerReadsWhole(final Compression compression)
    {
        final Random random = new Random(0x5EED_F00DL + compression.type().id);
        final byte[] original = concat(good(0, 0), good(1, 2), good(2, 0), good(3, 1), good(4, 0));
        int accepted = 0;
        int refusedButReadable = 0;
        for (int round = 0; round < 600; round++)
        {
            byte[] section = original.clone();
            final int mutations = 1 + random.nextInt(3);
            for (int m = 0; m < mutations; m++)
            {
                section = mutate(section, random);
            }
            final int count = random.nextInt(8) == 0 ? 5 + random.nextInt(3) - 1 : 5;
            final byte[] batch = batch(compression, count, section);
            final int r = round;
            final Result result = assertDoesNotThrow(() -> validate(batch), "round " + r);
            if (result == Result.OK)
            {
                accepted++;
                final List<Record> read = assertDoesNotThrow(() -> consumerReads(batch), "round " + r + ": accepted, but unreadable");
                assertEquals(count, read.size(), "round " + r);
                for (int i = 0; i < read.size(); i++)
                {
                    assertEquals(i, read.get(i).offset(), "round " + r);
                }
            }
            else if (readable(batch))
            {
                // Only what the consumer would mis-number may be refused although it reads.
                refusedButReadable++;
                final List<Record> read = consumerReads(batch);
                boolean numbered = read.size() == count;
                for (int i = 0; numbered && i < read.size(); i++)
                {
                    numbered = read.get(i).offset() == i;
                }
                assertTrue(!numbered, "round " + r + ": refused (" + result + ") a batch the consumer reads whole and in order");
            }
        }
        System.out.printf("%s: %d of 600 mutations accepted; %d refused that the consumer reads (offset deltas)%n",
            compression.type().name, accepted, refusedButReadable);
        assertTrue(accepted > 0, "the fuzz should reach accepted batches too");
    }

    private static byte[] mutate(final byte[] section, final Random random)
    {
        final int at = random.nextInt(section.length);
        switch (random.nextInt(4))
        {
            case 0:
            {
                final byte[] out = section.clone();
                out[at] ^= (byte)(1 << random.nextInt(8));
                return out;
            }
            case 1:
            {
                final byte[] out = section.clone();
                out[at] = (byte)random.nextInt(256);
                return out;
            }
            case 2:
                return concat(Arrays.copyOf(section, at), new byte[] {(byte)random.nextInt(256)}, Arrays.copyOfRange(section, at, section.length));
            default:
                return concat(Arrays.copyOf(section, at), Arrays.copyOfRange(section, at + 1, section.length));
        }
    }

    private static Compression compression(final String name)
    {
        return CompressionType.forName(name) == CompressionType.NONE ? Compression.NONE : Compression.of(name).build();
    }

    private Result validate(final byte[] batch)
    {
        return validator.validate(offHeap(ByteBuffer.wrap(batch), 0, 0), 0, batch.length, MAX);
    }

    /** What a Java consumer does with a fetched batch: its streaming iterator, every record read. */
    static List<Record> consumerReads(final byte[] batch)
    {
        final MutableRecordBatch parsed = MemoryRecords.readableRecords(ByteBuffer.wrap(batch)).batches().iterator().next();
        parsed.ensureValid();
        final List<Record> records = new ArrayList<>();
        try (CloseableIterator<Record> iterator = parsed.streamingIterator(BufferSupplier.create()))
        {
            while (iterator.hasNext())
            {
                final Record record = iterator.next();
                record.headers();
                records.add(record);
            }
        }
        return records;
    }

    private static boolean readable(final byte[] batch)
    {
        try
        {
            consumerReads(batch);
            return true;
        }
        catch (final RuntimeException | OutOfMemoryError ex)
        {
            return false;
        }
    }

    /**
     * A v2 batch (from kafka-clients, so every header field is as a producer writes it) declaring
     * {@code count} records over {@code section}, compressed with {@code compression}; batch
     * length, last offset delta and CRC made consistent so only the records can be wrong.
     */
    static byte[] batch(final Compression compression, final int count, final byte[] section)
    {
        final SimpleRecord[] template = new SimpleRecord[Math.max(count, 1)];
        Arrays.fill(template, new SimpleRecord(1_700_000_000_000L, null, V));
        final ByteBuffer header = MemoryRecords.withRecords(compression, template).buffer();
        final byte[] payload = compression.type() == CompressionType.NONE ? section : compress(compression, section);
        final byte[] batch = new byte[HEADER_SIZE + payload.length];
        header.get(batch, 0, HEADER_SIZE);
        System.arraycopy(payload, 0, batch, HEADER_SIZE, payload.length);
        final ByteBuffer view = ByteBuffer.wrap(batch);
        view.putInt(8, batch.length - 12);
        view.putInt(23, Math.max(count - 1, 0));
        view.putInt(57, count);
        final CRC32C crc = new CRC32C();
        crc.update(batch, 21, batch.length - 21);
        view.putInt(17, (int)crc.getValue());
        return batch;
    }

    static byte[] compress(final Compression compression, final byte[] raw)
    {
        final ByteBufferOutputStream out = new ByteBufferOutputStream(256);
        try (OutputStream stream = compression.wrapForOutput(out, (byte)2))
        {
            stream.write(raw);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        final ByteBuffer written = out.buffer().flip();
        final byte[] bytes = new byte[written.remaining()];
        written.get(bytes);
        return bytes;
    }
}
