package io.runnel.bench.sidebyside;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.runnel.bench.omb.BenchConfigException;

/**
 * The settings of {@link CleanerLatency}, parsed from its command line (FetchCpu's style: every flag
 * takes one value). Sizes take a k, m or g suffix (2^10, 2^20, 2^30 bytes): {@code --fill-bytes 64m}.
 */
record CleanerLatencyOptions(List<SystemUnderTest> systems, Map<String, Path> homes, long fillBytes, int valueBytes, int keys, long segmentBytes,
    long rateBytesPerSecond, int partitions, Duration warmup, Duration phase, Duration cleanStartTimeout, Duration settle, Duration cleanTimeout,
    Duration sampleInterval, long cleanerBackoffMs, Path output, Path workDir, Path home, List<String> commandLine)
{
    static final String USAGE = "usage: bin/runnel bench cleaner [--system label=runnel|kafka[,home=DIR][,key=value...]]... "
        + "[--fill-bytes SIZE] [--value-bytes SIZE] [--keys N] [--segment-bytes SIZE] [--rate SIZE] [--partitions N] [--warmup-seconds N] [--seconds N] "
        + "[--clean-start-timeout-seconds N] [--settle-seconds N] [--clean-timeout-seconds N] [--sample-ms N] [--cleaner-backoff-ms N|-1] "
        + "[--out DIR]";

    /** The broker key that sets how long an idle cleaner sleeps before it looks for work again (Kafka's name; 15 s by default). */
    static final String BACKOFF_KEY = "log.cleaner.backoff.ms";

    /**
     * A system's broker settings: its own, plus {@code log.cleaner.backoff.ms} from {@code --cleaner-backoff-ms} unless the
     * system sets it or the flag is -1. Short, so that the cleaning phase does not begin with the cleaner asleep.
     */
    Map<String, String> brokerSettings(final SystemUnderTest system)
    {
        final Map<String, String> settings = new LinkedHashMap<>();
        if (cleanerBackoffMs > 0)
        {
            settings.put(BACKOFF_KEY, Long.toString(cleanerBackoffMs));
        }
        settings.putAll(system.overrides());
        return settings;
    }

    /** The producer's records per second. */
    double messagesPerSecond()
    {
        return (double)rateBytesPerSecond / valueBytes;
    }

    /** Keyed records written to fill the compacted topic. */
    long fillRecords()
    {
        return Math.max(1, fillBytes / valueBytes);
    }

    static CleanerLatencyOptions parse(final String[] args, final Path home)
    {
        final List<SystemUnderTest> systems = new ArrayList<>();
        final Map<String, Path> homes = new LinkedHashMap<>();
        long fillBytes = 1L << 30;
        long valueBytes = 1024;
        int keys = 100_000;
        long segmentBytes = 64L << 20;
        long rate = 5L << 20;
        int partitions = 6;
        int warmup = 10;
        int seconds = 60;
        int cleanStart = 120;
        int settle = 10;
        int cleanTimeout = 900;
        int sampleMs = 500;
        long backoffMs = 1000;
        Path output = null;
        for (int i = 0; i < args.length; i++)
        {
            final String arg = args[i];
            if (i + 1 >= args.length)
            {
                throw new BenchConfigException(arg + " needs a value; " + USAGE);
            }
            final String value = args[++i];
            switch (arg)
            {
                case "--system" -> addSystem(value, home, systems, homes);
                case "--fill-bytes" -> fillBytes = size(arg, value);
                case "--value-bytes" -> valueBytes = size(arg, value);
                case "--keys" -> keys = positive(arg, value);
                case "--segment-bytes" -> segmentBytes = size(arg, value);
                case "--rate" -> rate = size(arg, value);
                case "--partitions" -> partitions = positive(arg, value);
                case "--warmup-seconds" -> warmup = positive(arg, value);
                case "--seconds" -> seconds = positive(arg, value);
                case "--clean-start-timeout-seconds" -> cleanStart = positive(arg, value);
                case "--settle-seconds" -> settle = positive(arg, value);
                case "--clean-timeout-seconds" -> cleanTimeout = positive(arg, value);
                case "--sample-ms" -> sampleMs = positive(arg, value);
                case "--cleaner-backoff-ms" -> backoffMs = value.trim().equals("-1") ? -1 : positive(arg, value);
                case "--out" -> output = Path.of(value).toAbsolutePath().normalize();
                default -> throw new BenchConfigException("unknown flag " + arg + "; " + USAGE);
            }
        }
        if (systems.isEmpty())
        {
            addSystem("kafka=kafka", home, systems, homes);
            addSystem("runnel=runnel", home, systems, homes);
        }
        if (valueBytes > Integer.MAX_VALUE / 2)
        {
            throw new BenchConfigException("--value-bytes " + valueBytes + " is too large");
        }
        if (segmentBytes > Integer.MAX_VALUE)
        {
            throw new BenchConfigException("--segment-bytes must be below 2 GiB (segment.bytes is an int)");
        }
        if (rate < valueBytes)
        {
            throw new BenchConfigException("--rate " + rate + " B/s is less than one record of " + valueBytes + " B per second");
        }
        if (cleanTimeout < seconds)
        {
            throw new BenchConfigException("--clean-timeout-seconds must be at least --seconds");
        }
        final Path workDir = home.resolve("bench/target/cleaner-latency");
        if (output == null)
        {
            output = workDir.resolve("out-" + SideBySide.now().replace(":", "").replace("Z", ""));
        }
        return new CleanerLatencyOptions(List.copyOf(systems), Map.copyOf(homes), fillBytes, (int)valueBytes, keys, segmentBytes, rate,
            partitions, Duration.ofSeconds(warmup), Duration.ofSeconds(seconds), Duration.ofSeconds(cleanStart), Duration.ofSeconds(settle), Duration.ofSeconds(cleanTimeout),
            Duration.ofMillis(sampleMs), backoffMs, output, workDir, home, List.of(args));
    }

    /** {@code 1024}, {@code 64k}, {@code 64m}, {@code 1g} (binary multiples) as bytes. */
    static long size(final String flag, final String value)
    {
        final String v = value.trim().toLowerCase(Locale.ROOT);
        final int shift = v.endsWith("k") ? 10 : v.endsWith("m") ? 20 : v.endsWith("g") ? 30 : 0;
        final String digits = shift == 0 ? v : v.substring(0, v.length() - 1);
        try
        {
            final long n = Long.parseLong(digits);
            if (n <= 0 || n > Long.MAX_VALUE >> shift)
            {
                throw new BenchConfigException(flag + " must be a positive size, was '" + value + "'");
            }
            return n << shift;
        }
        catch (final NumberFormatException ex)
        {
            throw new BenchConfigException(flag + " must be a size such as 1024, 64k, 64m or 1g, was '" + value + "'");
        }
    }

    private static int positive(final String flag, final String value)
    {
        try
        {
            final int n = Integer.parseInt(value.trim());
            if (n <= 0)
            {
                throw new BenchConfigException(flag + " must be positive, was '" + value + "'");
            }
            return n;
        }
        catch (final NumberFormatException ex)
        {
            throw new BenchConfigException(flag + " must be a whole number, was '" + value + "'");
        }
    }

    private static void addSystem(final String spec, final Path home, final List<SystemUnderTest> systems, final Map<String, Path> homes)
    {
        final SystemUnderTest parsed = SystemUnderTest.parse(spec);
        if (homes.containsKey(parsed.label()))
        {
            throw new BenchConfigException("--system label '" + parsed.label() + "' is given twice");
        }
        homes.put(parsed.label(), parsed.homeOr(home));
        systems.add(parsed);
    }
}
