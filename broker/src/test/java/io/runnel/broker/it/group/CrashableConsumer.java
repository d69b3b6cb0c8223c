package io.runnel.broker.it.group;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A group member in its own JVM, so a test can kill it with SIGKILL: it then sends nothing at
 * all (no leave), exactly like a crashed consumer. {@code main} subscribes and polls for at most
 * two minutes, printing its assignment size whenever it changes.
 */
public final class CrashableConsumer implements AutoCloseable
{
    private static final String ASSIGNED = "ASSIGNED ";
    private final Process process;
    private final BufferedReader output;

    private CrashableConsumer(final Process process)
    {
        this.process = process;
        this.output = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    public static CrashableConsumer start(final String bootstrap, final String group, final String protocol, final String topic)
        throws IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("-Xmx256m");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(CrashableConsumer.class.getName());
        command.add(bootstrap);
        command.add(group);
        command.add(protocol);
        command.add(topic);
        return new CrashableConsumer(new ProcessBuilder(command).redirectErrorStream(true).start());
    }

    /** Waits (bounded) until the child reports owning at least one partition. */
    public void awaitAssigned(final Duration timeout) throws IOException
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        String line;
        while (System.nanoTime() < deadline && (line = output.readLine()) != null)
        {
            if (line.startsWith(ASSIGNED) && Integer.parseInt(line.substring(ASSIGNED.length()).trim()) > 0)
            {
                return;
            }
        }
        throw new IllegalStateException("child consumer got no partitions within " + timeout);
    }

    public void kill9() throws InterruptedException
    {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException
    {
        if (process.isAlive())
        {
            kill9();
        }
    }

    public static void main(final String[] args)
    {
        final Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, args[1]);
        props.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, args[2]);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props))
        {
            consumer.subscribe(List.of(args[3]));
            int reported = -1;
            final long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (System.nanoTime() < deadline)
            {
                consumer.poll(Duration.ofMillis(100));
                if (consumer.assignment().size() != reported)
                {
                    reported = consumer.assignment().size();
                    System.out.println(ASSIGNED + reported);
                    System.out.flush();
                }
            }
        }
    }
}
