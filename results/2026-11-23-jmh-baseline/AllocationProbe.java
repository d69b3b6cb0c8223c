import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.IntStream;

import io.runnel.codecs.batch.RecordBatch;
import io.runnel.kernel.log.FileRegion;
import io.runnel.kernel.log.LogConfig;
import io.runnel.kernel.log.PartitionLog;
import io.runnel.kernel.log.PartitionState;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;

/**
 * Not a JMH benchmark: bytes allocated by the calling thread per PartitionLog.append and per
 * PartitionLog.read, in rounds of 8192 calls, without JMH's per-iteration overhead (which, divided
 * by a single-shot's 8192 appends, shows up as a few B/op in LogAppendBenchmark's gc.alloc.rate.norm).
 *
 * java --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED --add-opens=java.base/java.util.zip=ALL-UNNAMED \
 *      -cp bench/target/benchmarks.jar results/2026-11-23-jmh-baseline/AllocationProbe.java
 */
public class AllocationProbe
{
    public static void main(final String[] args) throws Exception
    {
        final ByteBuffer heap = MemoryRecords.withRecords(Compression.NONE, IntStream.range(0, 9)
            .mapToObj(i -> new SimpleRecord(1L, null, new byte[100])).toArray(SimpleRecord[]::new)).buffer();
        final ByteBuffer bytes = ByteBuffer.allocateDirect(heap.remaining());
        bytes.put(heap).flip();
        final UnsafeBuffer view = new UnsafeBuffer(bytes);
        final RecordBatch batch = new RecordBatch();
        final FileRegion region = new FileRegion();
        final com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final Path dir = Files.createTempDirectory("runnel-probe-");
        final PartitionLog log = PartitionLog.open("p", dir.resolve("p"), LogConfig.defaults().withSegmentBytes(256 << 20),
            new SystemEpochClock(), new PartitionState(), false);
        for (int round = 0; round < 6; round++)
        {
            final long a0 = mx.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 8192; i++)
            {
                bytes.clear();
                log.append(batch.wrap(view, 0), bytes);
            }
            final long a1 = mx.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 8192; i++)
            {
                log.read(i * 7L, 1 << 20, region);
            }
            final long a2 = mx.getCurrentThreadAllocatedBytes();
            System.out.printf("round %d  append: %.2f B/op  read: %.2f B/op%n", round, (a1 - a0) / 8192.0, (a2 - a1) / 8192.0);
        }
        log.closeAndDelete();
        Files.deleteIfExists(dir);
    }
}
