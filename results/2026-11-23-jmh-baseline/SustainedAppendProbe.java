import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.IntStream;

import io.runnel.codecs.batch.RecordBatch;
import io.runnel.kernel.log.LogConfig;
import io.runnel.kernel.log.PartitionLog;
import io.runnel.kernel.log.PartitionState;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;

/**
 * Not a JMH benchmark: shows what LogAppendBenchmark deliberately avoids. Appends 1 GiB of ~16 KiB
 * batches (150 x 100 B records) to one log with 256 MiB segments, printing MB/s per 16 MiB chunk,
 * so the drop from page-cache speed to disk writeback speed is visible. Deletes the log at the end.
 *
 * java --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED --add-opens=java.base/java.util.zip=ALL-UNNAMED \
 *      -cp bench/target/benchmarks.jar results/2026-11-23-jmh-baseline/SustainedAppendProbe.java
 */
public class SustainedAppendProbe
{
    public static void main(final String[] args) throws Exception
    {
        final ByteBuffer heap = MemoryRecords.withRecords(Compression.NONE, IntStream.range(0, 150)
            .mapToObj(i -> new SimpleRecord(1L, null, new byte[100])).toArray(SimpleRecord[]::new)).buffer();
        final ByteBuffer bytes = ByteBuffer.allocateDirect(heap.remaining());
        bytes.put(heap).flip();
        final int batchBytes = bytes.remaining();
        final UnsafeBuffer view = new UnsafeBuffer(bytes);
        final RecordBatch batch = new RecordBatch();
        final Path dir = Files.createTempDirectory("runnel-probe-");
        final PartitionLog log = PartitionLog.open("p", dir.resolve("p"), LogConfig.defaults().withSegmentBytes(256 << 20),
            new SystemEpochClock(), new PartitionState(), false);
        final int perChunk = (16 << 20) / batchBytes;
        long written = 0;
        for (int chunk = 0; chunk < 64; chunk++)
        {
            final int segmentsBefore = log.segmentCount();
            final long start = System.nanoTime();
            for (int i = 0; i < perChunk; i++)
            {
                bytes.clear();
                log.append(batch.wrap(view, 0), bytes);
            }
            final long nanos = System.nanoTime() - start;
            written += (long)perChunk * batchBytes;
            System.out.printf("chunk %2d  written %5d MiB  %6.0f MB/s%s%n", chunk, written >> 20,
                (double)perChunk * batchBytes / (nanos / 1e9) / 1e6, log.segmentCount() > segmentsBefore ? "  (rolled)" : "");
        }
        log.closeAndDelete();
        Files.deleteIfExists(dir);
    }
}
