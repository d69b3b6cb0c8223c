package io.runnel.bench.sidebyside;

import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * One Java producer sending keyed records at a fixed rate on its own thread, with the OMB runner's
 * producer settings (acks=1, no idempotence, no compression, linger.ms=1, 128 KiB batches) and its
 * latency measure: from the send call to the acknowledgement, in microseconds, into an HdrHistogram
 * {@link Recorder} so that the caller can take one histogram per interval while it runs. The pacing
 * is the runner's too: a send is due every 1/rate seconds, and a late producer catches up.
 */
final class FixedRateProducer implements AutoCloseable
{
    /** Longest latency the histograms hold: a send not acknowledged within it counts as this. */
    static final long HIGHEST_LATENCY_MICROS = TimeUnit.MINUTES.toMicros(2);
    private static final long JOIN_TIMEOUT_MS = 60_000;

    private final Recorder recorder = new Recorder(HIGHEST_LATENCY_MICROS, 3);
    private final LongAdder acknowledged = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    /**
     * Starts sending at once.
     *
     * @param deadlineNanos System.nanoTime after which the producer stops by itself even if never closed
     */
    FixedRateProducer(final String bootstrap, final String topic, final int valueBytes, final int keys, final double messagesPerSecond,
        final long deadlineNanos)
    {
        final Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.ACKS_CONFIG, "1");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 128 * 1024);
        final long intervalNs = (long)(1e9 / messagesPerSecond);
        thread = new Thread(() -> send(props, topic, valueBytes, keys, intervalNs, deadlineNanos), "fixed-rate-producer");
        thread.start();
    }

    private void send(final Properties props, final String topic, final int valueBytes, final int keys, final long intervalNs,
        final long deadlineNanos)
    {
        final byte[] value = new byte[valueBytes];
        new SplittableRandom(11).nextBytes(value);
        long nextSendNs = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props))
        {
            for (long n = 0; running.get() && System.nanoTime() < deadlineNanos; )
            {
                final long waitNs = nextSendNs - System.nanoTime();
                if (waitNs > 0)
                {
                    LockSupport.parkNanos(Math.min(waitNs, 1_000_000));
                    continue;
                }
                nextSendNs += intervalNs;
                final byte[] key = Long.toString(n++ % keys).getBytes(StandardCharsets.UTF_8);
                final long sendNs = System.nanoTime();
                producer.send(new ProducerRecord<>(topic, key, value), (metadata, exception) ->
                {
                    if (exception != null)
                    {
                        errors.increment();
                        return;
                    }
                    acknowledged.increment();
                    recorder.recordValue(Math.min((System.nanoTime() - sendNs) / 1_000, HIGHEST_LATENCY_MICROS));
                });
            }
            producer.flush();
        }
        catch (final org.apache.kafka.common.KafkaException ex)
        {
            errors.increment();
        }
    }

    /** The latencies recorded since the last call (or the start); the recorder starts a new interval. */
    Histogram interval()
    {
        return recorder.getIntervalHistogram();
    }

    long acknowledged()
    {
        return acknowledged.sum();
    }

    long errors()
    {
        return errors.sum();
    }

    /** Stops sending, waits for what was sent to be acknowledged (the producer's flush), and ends the thread. */
    @Override
    public void close() throws InterruptedException
    {
        running.set(false);
        thread.join(JOIN_TIMEOUT_MS);
        if (thread.isAlive())
        {
            thread.interrupt();
            thread.join(JOIN_TIMEOUT_MS);
        }
    }
}
