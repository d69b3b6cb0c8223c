package io.runnel.bench.sidebyside;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.runnel.bench.omb.BenchConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CleanerLatencyOptionsTest
{
    private static final Path HOME = Path.of("/repo");

    @Test
    void defaultsAreTheAcceptanceRunKafkaThenRunnelOnOneGibibyte()
    {
        final CleanerLatencyOptions o = CleanerLatencyOptions.parse(new String[0], HOME);
        assertEquals(List.of("kafka", "runnel"), o.systems().stream().map(SystemUnderTest::label).toList());
        assertEquals(1L << 30, o.fillBytes());
        assertEquals(1024, o.valueBytes());
        assertEquals(1L << 20, o.fillRecords());
        assertEquals(100_000, o.keys());
        assertEquals(64L << 20, o.segmentBytes());
        assertEquals(5 * 1024.0, o.messagesPerSecond(), 1e-9);
        assertEquals(Duration.ofSeconds(10), o.warmup());
        assertEquals(Duration.ofSeconds(60), o.phase());
        assertEquals(HOME.resolve("bench/target/cleaner-latency"), o.workDir());
        assertTrue(o.output().startsWith(o.workDir()), o.output().toString());
        assertEquals(Map.of("log.cleaner.backoff.ms", "1000"), o.brokerSettings(o.systems().get(1)));
    }

    @Test
    void readsEveryFlag()
    {
        final CleanerLatencyOptions o = CleanerLatencyOptions.parse(new String[] {"--system", "k=kafka,log.cleaner.threads=2",
            "--system", "r=runnel,home=/other/checkout,runnel.shards=1", "--fill-bytes", "64m", "--value-bytes", "512", "--keys", "6000",
            "--segment-bytes", "8m", "--rate", "2m", "--partitions", "3", "--warmup-seconds", "2", "--seconds", "5", "--clean-start-timeout-seconds", "15",
            "--settle-seconds", "4", "--clean-timeout-seconds", "30", "--sample-ms", "250", "--cleaner-backoff-ms", "-1", "--out", "/tmp/x"}, HOME);
        assertEquals(List.of("k", "r"), o.systems().stream().map(SystemUnderTest::label).toList());
        assertEquals(HOME, o.homes().get("k"));
        assertEquals(Path.of("/other/checkout"), o.homes().get("r"));
        // home= chooses the checkout; it is no broker setting, and -1 leaves the backoff to the broker.
        assertEquals(Map.of("runnel.shards", "1"), o.brokerSettings(o.systems().get(1)));
        assertEquals(Map.of("log.cleaner.threads", "2"), o.brokerSettings(o.systems().get(0)));
        assertEquals(64L << 20, o.fillBytes());
        assertEquals(512, o.valueBytes());
        assertEquals(131_072, o.fillRecords());
        assertEquals(6000, o.keys());
        assertEquals(8L << 20, o.segmentBytes());
        assertEquals(4096.0, o.messagesPerSecond(), 1e-9);
        assertEquals(3, o.partitions());
        assertEquals(Duration.ofSeconds(2), o.warmup());
        assertEquals(Duration.ofSeconds(5), o.phase());
        assertEquals(Duration.ofSeconds(15), o.cleanStartTimeout());
        assertEquals(Duration.ofSeconds(4), o.settle());
        assertEquals(Duration.ofSeconds(30), o.cleanTimeout());
        assertEquals(Duration.ofMillis(250), o.sampleInterval());
        assertEquals(Path.of("/tmp/x"), o.output());
    }

    @Test
    void aSystemsOwnBackoffWinsOverTheFlag()
    {
        final CleanerLatencyOptions o = CleanerLatencyOptions.parse(new String[] {"--system", "k=kafka,log.cleaner.backoff.ms=15000"}, HOME);
        assertEquals(Map.of("log.cleaner.backoff.ms", "15000"), o.brokerSettings(o.systems().get(0)));
    }

    @ParameterizedTest
    @CsvSource({"1024, 1024", "1k, 1024", "64K, 65536", "64m, 67108864", "1g, 1073741824", "3G, 3221225472"})
    void sizesTakeBinarySuffixes(final String text, final long bytes)
    {
        assertEquals(bytes, CleanerLatencyOptions.size("--x", text));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--fill-bytes|lots|--fill-bytes must be a size",
        "--fill-bytes|0|--fill-bytes must be a positive size",
        "--rate|-5m|--rate must be a positive size",
        "--keys|0|--keys must be positive",
        "--seconds|ten|--seconds must be a whole number",
        "--segment-bytes|4g|--segment-bytes must be below 2 GiB",
        "--rate|100|less than one record",
        "--clean-timeout-seconds|5|--clean-timeout-seconds must be at least --seconds",
        "--warmup|5|unknown flag --warmup"})
    void refusesBadValuesByName(final String flag, final String value, final String message)
    {
        final BenchConfigException ex = assertThrows(BenchConfigException.class, () -> CleanerLatencyOptions.parse(new String[] {flag, value}, HOME));
        assertTrue(ex.getMessage().contains(message), ex.getMessage());
    }

    @Test
    void refusesAFlagWithoutItsValueAndALabelGivenTwice()
    {
        assertTrue(assertThrows(BenchConfigException.class, () -> CleanerLatencyOptions.parse(new String[] {"--rate"}, HOME)).getMessage()
            .contains("--rate needs a value"));
        assertTrue(assertThrows(BenchConfigException.class,
            () -> CleanerLatencyOptions.parse(new String[] {"--system", "a=kafka", "--system", "a=runnel"}, HOME)).getMessage()
            .contains("given twice"));
    }
}
