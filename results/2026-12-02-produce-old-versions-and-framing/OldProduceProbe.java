import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.*;

import org.apache.kafka.clients.admin.*;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.*;
import org.apache.kafka.common.protocol.*;
import org.apache.kafka.common.record.internal.*;

/** What a broker advertises for Produce and how it answers hand-encoded Produce v0-2. */
public class OldProduceProbe
{
    public static void main(String[] args) throws Exception
    {
        String[] hp = args[0].split(":");
        String topic = "old-produce-" + System.nanoTime();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args[0])))
        {
            admin.createTopics(List.of(new NewTopic(topic, 2, (short)1))).all().get();
        }
        Thread.sleep(1000);
        try (Socket s = new Socket(hp[0], Integer.parseInt(hp[1])))
        {
            s.setSoTimeout(5000);
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            DataOutputStream d = new DataOutputStream(b);
            d.writeShort(18); d.writeShort(0); d.writeInt(1); d.writeShort(5); d.writeBytes("probe");
            send(s, b.toByteArray());
            ByteBuffer r = receive(s);
            r.getInt();
            ApiVersionsResponseData v = new ApiVersionsResponseData(new ByteBufferAccessor(r), (short)0);
            System.out.println("ApiVersions Produce: " + v.apiKeys().find((short)0));
        }
        byte[] batch = toBytes(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("old".getBytes())));
        for (short version = 0; version <= 3; version++)
        {
            for (short acks : new short[] {1, -1, 0})
            {
                try (Socket s = new Socket(hp[0], Integer.parseInt(hp[1])))
                {
                    s.setSoTimeout(3000);
                    ByteArrayOutputStream b = new ByteArrayOutputStream();
                    DataOutputStream d = new DataOutputStream(b);
                    d.writeShort(0); d.writeShort(version); d.writeInt(42); d.writeShort(5); d.writeBytes("probe");
                    if (version >= 3) d.writeShort(-1);
                    d.writeShort(acks); d.writeInt(1000);
                    d.writeInt(2);
                    d.writeShort(topic.length()); d.writeBytes(topic);
                    d.writeInt(2);
                    d.writeInt(0); d.writeInt(batch.length); d.write(batch);
                    d.writeInt(1); d.writeInt(batch.length); d.write(batch);
                    d.writeShort(7); d.writeBytes("missing");
                    d.writeInt(1);
                    d.writeInt(3); d.writeInt(-1);
                    send(s, b.toByteArray());
                    ByteBuffer r;
                    try
                    {
                        r = receive(s);
                    }
                    catch (Exception ex)
                    {
                        System.out.println("v" + version + " acks=" + acks + ": no response (" + ex.getClass().getSimpleName() + ")");
                        continue;
                    }
                    StringBuilder hex = new StringBuilder();
                    for (int i = r.position(); i < r.limit(); i++) hex.append(String.format("%02x", r.get(i)));
                    System.out.println("v" + version + " acks=" + acks + ": " + r.remaining() + " bytes: " + hex);
                    System.out.println("   parsed: " + parse(r, version));
                    // is the connection still usable?
                    ByteArrayOutputStream b2 = new ByteArrayOutputStream();
                    DataOutputStream d2 = new DataOutputStream(b2);
                    d2.writeShort(18); d2.writeShort(0); d2.writeInt(2); d2.writeShort(5); d2.writeBytes("probe");
                    send(s, b2.toByteArray());
                    try { receive(s); System.out.println("   connection still open"); }
                    catch (Exception ex) { System.out.println("   connection closed after"); }
                }
            }
        }
    }

    static String parse(ByteBuffer r, short version)
    {
        StringBuilder out = new StringBuilder();
        out.append("corr=").append(r.getInt());
        int topics = r.getInt();
        for (int t = 0; t < topics; t++)
        {
            byte[] name = new byte[r.getShort()];
            r.get(name);
            out.append(" [").append(new String(name));
            int ps = r.getInt();
            for (int p = 0; p < ps; p++)
            {
                out.append(" p").append(r.getInt()).append(" err=").append(Errors.forCode(r.getShort())).append(" base=").append(r.getLong());
                if (version >= 2) out.append(" lat=").append(r.getLong());
                if (version >= 5) out.append(" lso=").append(r.getLong());
            }
            out.append("]");
        }
        if (version >= 1) out.append(" throttle=").append(r.getInt());
        out.append(" remaining=").append(r.remaining());
        return out.toString();
    }

    static byte[] toBytes(MemoryRecords records)
    {
        ByteBuffer buffer = records.buffer().duplicate();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    static void send(Socket s, byte[] payload) throws Exception
    {
        DataOutputStream out = new DataOutputStream(s.getOutputStream());
        out.writeInt(payload.length);
        out.write(payload);
        out.flush();
    }

    static ByteBuffer receive(Socket s) throws Exception
    {
        DataInputStream in = new DataInputStream(s.getInputStream());
        int n = in.readInt();
        byte[] p = new byte[n];
        in.readFully(p);
        return ByteBuffer.wrap(p);
    }
}
