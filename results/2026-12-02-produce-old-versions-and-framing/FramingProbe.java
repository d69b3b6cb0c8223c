import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.*;
import java.util.function.Supplier;
import java.util.zip.CRC32C;

import org.apache.kafka.clients.admin.*;
import org.apache.kafka.clients.consumer.*;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.*;
import org.apache.kafka.common.protocol.*;
import org.apache.kafka.common.record.internal.*;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.utils.internals.ByteBufferOutputStream;

/**
 * Sends RecordBatches with a valid CRC but malformed records to a broker and reports, per case:
 * the produce error, whether the log end moved, and whether the Java consumer reads what was stored.
 * Usage: java -cp 'kafka-lib/*' FramingProbe.java host:port
 */
public class FramingProbe
{
    static final int HEADER = 61;
    static String bootstrap;
    static Admin admin;
    static int seq;

    // ---- record body builder ----
    static final class B
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        B i8(int v) { out.write(v); return this; }
        B varint(int v) { return uvarint((v << 1) ^ (v >> 31)); }
        B uvarint(int v) { while ((v & ~0x7F) != 0) { out.write((v & 0x7F) | 0x80); v >>>= 7; } out.write(v); return this; }
        B varlong(long v) { long z = (v << 1) ^ (v >> 63); while ((z & ~0x7FL) != 0) { out.write((int)((z & 0x7F) | 0x80)); z >>>= 7; } out.write((int)z); return this; }
        B bytes(byte[] b) { out.write(b, 0, b.length); return this; }
        B raw(int... bs) { for (int b : bs) out.write(b); return this; }
        byte[] get() { return out.toByteArray(); }
    }

    /** A well-formed record body: attributes, ts delta, offset delta, key, value, headers. */
    static B body(int offsetDelta, byte[] key, byte[] value, int headers)
    {
        B b = new B().i8(0).varlong(0).varint(offsetDelta);
        if (key == null) b.varint(-1); else b.varint(key.length).bytes(key);
        if (value == null) b.varint(-1); else b.varint(value.length).bytes(value);
        b.varint(headers);
        for (int h = 0; h < headers; h++) b.varint(2).bytes("hk".getBytes()).varint(2).bytes("hv".getBytes());
        return b;
    }

    static byte[] record(byte[] body) { return new B().varint(body.length).bytes(body).get(); }
    static byte[] recordWithLength(int length, byte[] body) { return new B().varint(length).bytes(body).get(); }
    static byte[] good(int i) { return record(body(i, ("k" + i).getBytes(), ("value-" + i).getBytes(), 0).get()); }
    static byte[] cat(byte[]... parts) { B b = new B(); for (byte[] p : parts) b.bytes(p); return b.get(); }

    static boolean rawSection;
    static byte[] batch(Compression compression, int count, byte[] recordsSection)
    {
        SimpleRecord[] rs = new SimpleRecord[count];
        for (int i = 0; i < count; i++) rs[i] = new SimpleRecord(System.currentTimeMillis(), null, "x".getBytes());
        ByteBuffer tpl = MemoryRecords.withRecords(compression, rs).buffer();
        byte[] t = new byte[tpl.remaining()];
        tpl.get(t);
        byte[] section = compression.type() == CompressionType.NONE || rawSection ? recordsSection : compress(compression, recordsSection);
        byte[] b = Arrays.copyOf(t, HEADER + section.length);
        System.arraycopy(section, 0, b, HEADER, section.length);
        ByteBuffer bb = ByteBuffer.wrap(b);
        bb.putInt(8, b.length - 12);
        bb.putInt(23, Math.max(count - 1, 0));
        bb.putInt(57, count);
        CRC32C crc = new CRC32C();
        crc.update(b, 21, b.length - 21);
        bb.putInt(17, (int)crc.getValue());
        return b;
    }

    static byte[] compress(Compression compression, byte[] raw)
    {
        try
        {
            ByteBufferOutputStream bbos = new ByteBufferOutputStream(256);
            try (OutputStream os = compression.wrapForOutput(bbos, RecordBatch.MAGIC_VALUE_V2))
            {
                os.write(raw);
            }
            ByteBuffer buf = bbos.buffer().flip();
            byte[] out = new byte[buf.remaining()];
            buf.get(out);
            return out;
        }
        catch (Exception e) { throw new RuntimeException(e); }
    }

    static LinkedHashMap<String, Object[]> cases()
    {
        LinkedHashMap<String, Object[]> c = new LinkedHashMap<>();
        byte[] ok = body(0, "k".getBytes(), "v".getBytes(), 0).get();
        c.put("control: two good records", new Object[] {2, cat(good(0), good(1))});
        c.put("record length runs past the batch", new Object[] {1, recordWithLength(ok.length + 50, ok)});
        c.put("record length one short (body longer)", new Object[] {1, recordWithLength(ok.length - 1, ok)});
        c.put("record length one long (eats next record)", new Object[] {2, cat(recordWithLength(good(0).length, body(0, "k".getBytes(), "v".getBytes(), 0).get()), good(1))});
        c.put("record length zero", new Object[] {1, cat(new byte[] {0}, ok)});
        c.put("record length negative", new Object[] {1, cat(new B().varint(-5).get(), ok)});
        c.put("header count larger than remains", new Object[] {1, record(new B().i8(0).varlong(0).varint(0).varint(-1).varint(1).raw('v').varint(1000).get())});
        c.put("header count larger than record, within batch", new Object[] {2, cat(record(new B().i8(0).varlong(0).varint(0).varint(-1).varint(1).raw('v').varint(1).get()), good(1))});
        c.put("header count negative", new Object[] {1, record(new B().i8(0).varlong(0).varint(0).varint(-1).varint(1).raw('v').varint(-1).get())});
        c.put("header key length negative", new Object[] {1, record(new B().i8(0).varlong(0).varint(0).varint(-1).varint(1).raw('v').varint(1).varint(-1).varint(-1).get())});
        c.put("header key length runs past", new Object[] {1, record(new B().i8(0).varlong(0).varint(0).varint(-1).varint(1).raw('v').varint(1).varint(40).raw('h').varint(-1).get())});
        c.put("header value length -2 (null-like)", new Object[] {1, record(new B().i8(0).varlong(0).varint(0).varint(-1).varint(1).raw('v').varint(1).varint(1).raw('h').varint(-2).get())});
        c.put("key length longer than present", new Object[] {1, record(new B().i8(0).varlong(0).varint(0).varint(5).raw('k').varint(1).raw('v').varint(0).get())});
        c.put("key length past the batch", new Object[] {1, record(new B().i8(0).varlong(0).varint(0).varint(500).raw('k').varint(1).raw('v').varint(0).get())});
        c.put("key length shorter than present", new Object[] {1, record(new B().i8(0).varlong(0).varint(0).varint(0).raw('k').varint(1).raw('v').varint(0).get())});
        c.put("key length -2 (null-like)", new Object[] {1, record(new B().i8(0).varlong(0).varint(0).varint(-2).varint(1).raw('v').varint(0).get())});
        c.put("value length longer than present", new Object[] {1, record(new B().i8(0).varlong(0).varint(0).varint(-1).varint(4).raw('v').varint(0).get())});
        c.put("value length past the batch", new Object[] {1, record(new B().i8(0).varlong(0).varint(0).varint(-1).varint(400).raw('v').varint(0).get())});
        c.put("value length -7 (null-like)", new Object[] {1, record(new B().i8(0).varlong(0).varint(0).varint(-1).varint(-7).varint(0).get())});
        c.put("count 3, two records", new Object[] {3, cat(good(0), good(1))});
        c.put("count 1, two records", new Object[] {1, cat(good(0), good(1))});
        c.put("trailing byte after last record", new Object[] {2, cat(good(0), good(1), new byte[] {0})});
        c.put("trailing zeros after last record", new Object[] {1, cat(good(0), new byte[8])});
        c.put("offset delta 5 in one-record batch", new Object[] {1, record(body(5, null, "v".getBytes(), 0).get())});
        c.put("offset deltas 0,0", new Object[] {2, cat(good(0), good(0))});
        c.put("overlong varint in record length", new Object[] {1, cat(new byte[] {(byte)0x80, (byte)0x80, (byte)0x80, (byte)0x80, (byte)0x80, 0x01}, ok)});
        c.put("overlong varlong timestamp", new Object[] {1, record(new B().i8(0).raw(0x80,0x80,0x80,0x80,0x80,0x80,0x80,0x80,0x80,0x80,0x01).varint(0).varint(-1).varint(1).raw('v').varint(0).get())});
        c.put("record ends inside value", new Object[] {1, new B().varint(8).bytes(new B().i8(0).varlong(0).varint(0).varint(-1).varint(10).raw('v','v','v').get()).get()});
        c.put("attributes nonzero (0x7f)", new Object[] {1, record(new B().i8(0x7f).varlong(0).varint(0).varint(-1).varint(1).raw('v').varint(0).get())});
        c.put("empty records section, count 1", new Object[] {1, new byte[0]});
        c.put("compressed stream cut in half", new Object[] {2, new byte[0], "raw"});
        byte[] junk = new byte[48]; Arrays.fill(junk, (byte)0x5A);
        c.put("compressed stream is garbage", new Object[] {2, junk, "raw"});
        c.put("compressed stream empty", new Object[] {2, new byte[0], "raw"});
        return c;
    }

    public static void main(String[] args) throws Exception
    {
        bootstrap = args[0];
        String filter = args.length > 1 ? args[1] : "";
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
        Map<String, Compression> codecs = new LinkedHashMap<>();
        codecs.put("none", Compression.NONE);
        codecs.put("gzip", Compression.gzip().build());
        codecs.put("lz4", Compression.lz4().build());
        codecs.put("zstd", Compression.zstd().build());
        codecs.put("snappy", Compression.snappy().build());
        String topic = "framing-probe-" + System.nanoTime();
        admin.createTopics(List.of(new NewTopic(topic, 1, (short)1))).all().get();
        Thread.sleep(1000);
        TopicPartition tp = new TopicPartition(topic, 0);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
            ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(), ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false)))
        {
            consumer.assign(List.of(tp));
            System.out.printf("%-6s | %-48s | %-22s | %-6s | %s%n", "codec", "case", "error", "stored", "consumer");
            for (Map.Entry<String, Compression> codec : codecs.entrySet())
            {
                if (!filter.isEmpty() && !codec.getKey().equals(filter)) continue;
                for (Map.Entry<String, Object[]> e : cases().entrySet())
                {
                    rawSection = e.getValue().length > 2;
                    byte[] section = (byte[])e.getValue()[1];
                    if (rawSection && codec.getValue().type() != CompressionType.NONE)
                    {
                        byte[] full = compress(codec.getValue(), cat(good(0), good(1)));
                        section = e.getKey().startsWith("compressed stream cut") ? Arrays.copyOf(full, full.length / 2) : section;
                    }
                    else if (rawSection) continue;
                    byte[] b = batch(codec.getValue(), (Integer)e.getValue()[0], section);
                    long before = end(tp);
                    String err = produce(topic, b);
                    long after = end(tp);
                    String read = "-";
                    if (after > before)
                    {
                        consumer.seek(tp, before);
                        try
                        {
                            int n = 0;
                            long deadline = System.currentTimeMillis() + 3000;
                            while (consumer.position(tp) < after && System.currentTimeMillis() < deadline)
                            {
                                n += consumer.poll(Duration.ofMillis(200)).count();
                            }
                            read = "read " + n + (consumer.position(tp) < after ? " (stuck)" : "");
                        }
                        catch (Exception ex)
                        {
                            read = "FAILS: " + ex.getClass().getSimpleName();
                            consumer.seek(tp, after);
                        }
                    }
                    System.out.printf("%-6s | %-48s | %-22s | %-6s | %s%n", codec.getKey(), e.getKey(), err, after - before, read);
                }
            }
        }
        admin.close();
    }

    static long end(TopicPartition tp) throws Exception
    {
        return admin.listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp).get().offset();
    }

    static String produce(String topic, byte[] batch) throws Exception
    {
        String[] hp = bootstrap.split(":");
        try (Socket s = new Socket(hp[0], Integer.parseInt(hp[1])))
        {
            s.setSoTimeout(10_000);
            ProduceRequestData.TopicProduceDataCollection topics = new ProduceRequestData.TopicProduceDataCollection();
            topics.add(new ProduceRequestData.TopicProduceData().setName(topic).setPartitionData(List.of(
                new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(MemoryRecords.readableRecords(ByteBuffer.wrap(batch))))));
            ProduceRequestData req = new ProduceRequestData().setAcks((short)1).setTimeoutMs(10000).setTopicData(topics);
            short v = 11;
            RequestHeaderData h = new RequestHeaderData().setRequestApiKey(ApiKeys.PRODUCE.id).setRequestApiVersion(v).setCorrelationId(7).setClientId("probe");
            ObjectSerializationCache cache = new ObjectSerializationCache();
            short hv = ApiKeys.PRODUCE.requestHeaderVersion(v);
            int size = h.size(cache, hv) + req.size(cache, v);
            ByteBuffer buf = ByteBuffer.allocate(4 + size);
            buf.putInt(size);
            ByteBufferAccessor acc = new ByteBufferAccessor(buf);
            h.write(acc, cache, hv);
            req.write(acc, cache, v);
            s.getOutputStream().write(buf.array());
            DataInputStream in = new DataInputStream(s.getInputStream());
            int n;
            try { n = in.readInt(); } catch (Exception ex) { return "CLOSED"; }
            byte[] p = new byte[n];
            in.readFully(p);
            ByteBufferAccessor ra = new ByteBufferAccessor(ByteBuffer.wrap(p));
            new ResponseHeaderData(ra, ApiKeys.PRODUCE.responseHeaderVersion(v));
            ProduceResponseData resp = new ProduceResponseData(ra, v);
            ProduceResponseData.PartitionProduceResponse pr = resp.responses().iterator().next().partitionResponses().get(0);
            return Errors.forCode(pr.errorCode()).name();
        }
    }
}
