package io.runnel.bench.sidebyside;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.runnel.bench.omb.BenchConfigException;

/**
 * Produce latency while the log cleaner compacts a topic, against the same with the cleaner idle,
 * and the cleaner's throughput, for each system under test in the same run ({@code bin/runnel bench
 * cleaner}; issue 10's benchmark). For each system in turn, on a fresh broker (one node, its data
 * under bench/target/cleaner-latency): a compacted topic (one partition, {@code --segment-bytes})
 * is filled with {@code --fill-bytes} of keyed {@code --value-bytes} records over {@code --keys}
 * keys while {@code min.cleanable.dirty.ratio=1.0} holds its cleaner idle; a fixed-rate producer
 * ({@code --rate}, acks=1, keyed records of the same size, on a separate plain topic) runs for
 * {@code --seconds} with the cleaner idle; then the ratio is lowered to 0.01 and the same producer
 * runs while the cleaner works, until the compacted topic (its size read with DescribeLogDirs every
 * {@code --sample-ms}) has not shrunk for {@code --settle-seconds}. See {@link CleanerLatencyRun}
 * for a broker that refuses IncrementalAlterConfigs, and {@link CleanerLatencyReport} for what is
 * written to {@code --out}.
 *
 * Every phase is bounded: the fill by a timeout, the cleaning phase by {@code --clean-timeout-seconds},
 * and a cleaner that has not shrunk the topic {@code --clean-start-timeout-seconds} after it was set
 * going is reported as such. Bad input is one line on stderr and exit code 2.
 */
public final class CleanerLatency
{
    private CleanerLatency()
    {
    }

    public static void main(final String[] args)
    {
        // A broker stopped under a lingering client makes its network threads warn; only errors matter here.
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "error");
        System.setProperty("java.awt.headless", "true");
        try
        {
            run(CleanerLatencyOptions.parse(args, Path.of(System.getProperty("runnel.home", ".")).toAbsolutePath().normalize()));
        }
        catch (final BenchConfigException ex)
        {
            System.err.println("bench: " + ex.getMessage());
            System.exit(2);
        }
        catch (final Exception ex)
        {
            System.err.println("bench: " + ex);
            ex.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    private static void run(final CleanerLatencyOptions options) throws Exception
    {
        Files.createDirectories(options.output());
        System.out.printf("cleaner benchmark: %d system(s), results in %s%n", options.systems().size(), options.output());
        final List<CleanerLatencyRun.Result> results = new ArrayList<>();
        for (final SystemUnderTest system : options.systems())
        {
            System.out.printf("%n== %s (%s) ==%n", system.label(), system.describe());
            final CleanerLatencyRun.Result result = new CleanerLatencyRun(options, system).run();
            results.add(result);
            CleanerLatencyReport.writeHistogramLogs(options.output(), result);
            // Written after every system, so that a later failure leaves the earlier figures behind.
            CleanerLatencyReport.write(options, results);
        }
        System.out.println();
        System.out.println(CleanerLatencyReport.markdown(options, results));
    }
}
