package io.runnel.bench.sidebyside;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.HdrHistogram.Histogram;

/**
 * What {@link CleanerLatency} writes into its output folder: {@code results.json} (every figure,
 * and the compacted topic's size over time), {@code summary.md} (the machine, the command, and
 * one table of latencies per phase and one of the cleaner's work), an HdrHistogram log per system
 * and phase, and two plots (latency spectra, and the compacted topic's size while it is cleaned).
 */
final class CleanerLatencyReport
{
    /** The acceptance bound: produce p99 and p99.9 while cleaning within this factor of the same with the cleaner idle. */
    static final double BOUND = 2.0;
    private static final double MIB = 1 << 20;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private CleanerLatencyReport()
    {
    }

    /** Writes one system's HdrHistogram logs as soon as its run is over. */
    static void writeHistogramLogs(final Path output, final CleanerLatencyRun.Result result) throws IOException
    {
        for (final CleanerLatencyRun.Phase phase : List.of(result.idle(), result.cleaning()))
        {
            phase.intervals().write(output.resolve(result.system().label() + "-" + phase.name() + ".hlog"),
                "CleanerLatency, " + result.system().describe() + ", " + phase.name() + " phase: produce latency (send to acknowledgement) in microseconds");
        }
    }

    static void write(final CleanerLatencyOptions options, final List<CleanerLatencyRun.Result> results) throws IOException
    {
        final Path output = options.output();
        Files.writeString(output.resolve("results.json"), json(options, results), StandardCharsets.UTF_8);
        Files.writeString(output.resolve("summary.md"), markdown(options, results), StandardCharsets.UTF_8);
        final Map<String, Histogram> spectra = new LinkedHashMap<>();
        final Map<String, List<double[]>> sizes = new LinkedHashMap<>();
        for (final CleanerLatencyRun.Result result : results)
        {
            spectra.put(result.system().label() + " idle", result.idle().latency());
            spectra.put(result.system().label() + " cleaning", result.cleaning().latency());
            final List<double[]> points = new ArrayList<>();
            for (final long[] sample : result.cleaning().sizes())
            {
                if (sample[1] >= 0)
                {
                    points.add(new double[] {sample[0] / 1000.0, sample[1] / MIB});
                }
            }
            sizes.put(result.system().label(), points);
        }
        Plots.latencySpectrum(output.resolve("produce-latency.png"), "Produce latency at " + rateLabel(options) + ", cleaner idle and cleaning", spectra);
        Plots.sizeOverTime(output.resolve("compacted-topic-size.png"), "Size of " + CleanerLatencyRun.COMPACTED_TOPIC + " while it is cleaned",
            "seconds into the cleaning phase", sizes);
    }

    static String json(final CleanerLatencyOptions options, final List<CleanerLatencyRun.Result> results) throws IOException
    {
        final ObjectNode root = JSON.createObjectNode();
        root.put("date", SideBySide.now());
        root.put("machine", MachineDescription.machine());
        root.put("command", "bin/runnel bench cleaner " + String.join(" ", options.commandLine()));
        final ObjectNode settings = root.putObject("settings");
        settings.put("fillBytes", options.fillBytes());
        settings.put("valueBytes", options.valueBytes());
        settings.put("keys", options.keys());
        settings.put("segmentBytes", options.segmentBytes());
        settings.put("rateBytesPerSecond", options.rateBytesPerSecond());
        settings.put("recordsPerSecond", options.messagesPerSecond());
        settings.put("producePartitions", options.partitions());
        settings.put("warmupSeconds", options.warmup().toSeconds());
        settings.put("idleSeconds", options.phase().toSeconds());
        settings.put("cleanStartTimeoutSeconds", options.cleanStartTimeout().toSeconds());
        settings.put("settleSeconds", options.settle().toSeconds());
        settings.put("cleanTimeoutSeconds", options.cleanTimeout().toSeconds());
        settings.put("cleanerBackoffMs", options.cleanerBackoffMs());
        final ArrayNode systems = root.putArray("systems");
        for (final CleanerLatencyRun.Result result : results)
        {
            final ObjectNode node = systems.addObject();
            node.put("label", result.system().label());
            node.put("broker", result.system().describe());
            node.putPOJO("brokerSettings", options.brokerSettings(result.system()));
            final ObjectNode fill = node.putObject("fill");
            fill.put("records", result.fill().records());
            fill.put("payloadBytes", result.fill().payloadBytes());
            fill.put("seconds", result.fill().seconds());
            fill.put("errors", result.fill().errors());
            fill.put("logBytes", result.fill().logBytes());
            phase(node.putObject("idle"), result.idle());
            phase(node.putObject("cleaning"), result.cleaning());
            final CleanerLatencyRun.Cleaning c = result.cleaner();
            final ObjectNode cleaner = node.putObject("cleaner");
            cleaner.put("trigger", c.trigger().name().toLowerCase(Locale.ROOT));
            cleaner.put("alterRefusal", c.refusal());
            cleaner.put("state", c.state().name().toLowerCase(Locale.ROOT));
            cleaner.put("sizeBeforeBytes", c.sizeBefore());
            cleaner.put("sizeAfterBytes", c.sizeAfter());
            cleaner.put("bytesRemoved", c.sizeBefore() - c.sizeAfter());
            number(cleaner, "secondsToFirstShrink", c.secondsToFirstShrink());
            number(cleaner, "cleaningSeconds", c.secondsToLastShrink());
            number(cleaner, "readMiBPerSecond", c.readMibPerSecond());
            number(cleaner, "removedMiBPerSecond", c.removedMibPerSecond());
            number(cleaner, "brokerReportedMiBPerSecond", KafkaCleanerLog.mbPerSecond(c.brokerReported(), CleanerLatencyRun.COMPACTED_TOPIC + "-0"));
            final ArrayNode reported = cleaner.putArray("brokerReportedCleans");
            c.brokerReported().forEach(clean -> reported.add(JSON.valueToTree(clean)));
            final ObjectNode ratios = node.putObject("cleaningOverIdle");
            number(ratios, "p99", ratio(result, 99));
            number(ratios, "p99.9", ratio(result, 99.9));
            final ArrayNode timeline = node.putArray("compactedTopicSizeDuringCleaning");
            for (final long[] sample : result.cleaning().sizes())
            {
                timeline.addArray().add(sample[0]).add(sample[1]);
            }
            final ArrayNode idleTimeline = node.putArray("compactedTopicSizeDuringIdle");
            for (final long[] sample : result.idle().sizes())
            {
                idleTimeline.addArray().add(sample[0]).add(sample[1]);
            }
        }
        return JSON.writeValueAsString(root) + "\n";
    }

    private static void phase(final ObjectNode node, final CleanerLatencyRun.Phase phase)
    {
        node.put("seconds", phase.seconds());
        node.put("acknowledged", phase.acknowledged());
        node.put("errors", phase.errors());
        node.put("acknowledgedPerSecond", phase.acknowledged() / phase.seconds());
        latency(node.putObject("latencyMicros"), phase.latency());
        latency(node.putObject("latencyMicrosWholePhase"), phase.wholePhase());
        node.put("brokerCpuSeconds", phase.brokerCpu().totalSeconds());
        node.put("brokerUserCpuSeconds", phase.brokerCpu().userSeconds());
        node.put("brokerSystemCpuSeconds", phase.brokerCpu().systemSeconds());
    }

    private static void latency(final ObjectNode node, final Histogram h)
    {
        node.put("count", h.getTotalCount());
        node.put("p50", h.getValueAtPercentile(50));
        node.put("p99", h.getValueAtPercentile(99));
        node.put("p99.9", h.getValueAtPercentile(99.9));
        node.put("max", h.getMaxValue());
    }

    private static void number(final ObjectNode node, final String name, final double value)
    {
        if (Double.isFinite(value))
        {
            node.put(name, value);
        }
        else
        {
            node.putNull(name);
        }
    }

    /** Cleaning over idle at one percentile; NaN when either phase has no samples. */
    static double ratio(final CleanerLatencyRun.Result result, final double percentile)
    {
        final Histogram idle = result.idle().latency();
        final Histogram cleaning = result.cleaning().latency();
        if (idle.getTotalCount() == 0 || cleaning.getTotalCount() == 0)
        {
            return Double.NaN;
        }
        return (double)cleaning.getValueAtPercentile(percentile) / Math.max(1, idle.getValueAtPercentile(percentile));
    }

    static String markdown(final CleanerLatencyOptions options, final List<CleanerLatencyRun.Result> results)
    {
        final StringBuilder md = new StringBuilder("# Produce latency while the log cleaner works\n\n");
        md.append("- date: ").append(SideBySide.now()).append('\n');
        md.append("- machine: ").append(MachineDescription.machine()).append('\n');
        md.append("- JVM: ").append(System.getProperty("java.vm.name")).append(' ').append(System.getProperty("java.vm.version")).append('\n');
        md.append("- Runnel commit: ").append(SideBySide.commandOutput("git", "-C", options.home().toString(), "rev-parse", "--short", "HEAD"))
            .append(SideBySide.commandOutput("git", "-C", options.home().toString(), "status", "--porcelain", "--untracked-files=no").isEmpty()
                ? "" : " (with uncommitted changes)").append('\n');
        md.append("- Apache Kafka: ").append(MachineDescription.kafkaVersion(options.home().resolve("bench/target/apache-kafka/lib")))
            .append(", JVM options ").append(String.join(" ", ApacheKafkaProcess.DEFAULT_JVM_OPTIONS)).append('\n');
        md.append("- Runnel JVM options: ").append(String.join(" ", RunnelProcess.DEFAULT_JVM_OPTIONS)).append('\n');
        md.append("- command: `bin/runnel bench cleaner").append(options.commandLine().isEmpty() ? "" : " " + String.join(" ", options.commandLine()))
            .append("`\n");
        md.append(String.format(Locale.ROOT, "- compacted topic `%s`: 1 partition, segment.bytes %,d, filled with %,d records of %,d B over %,d keys "
            + "(%.1f updates per key), min.cleanable.dirty.ratio 1.0 while filling and idle, 0.01 to clean%n", CleanerLatencyRun.COMPACTED_TOPIC,
            options.segmentBytes(), options.fillRecords(), options.valueBytes(), options.keys(), (double)options.fillRecords() / options.keys()));
        md.append(String.format(Locale.ROOT, "- producer: %s (%.0f keyed records/s of %,d B) to `%s` (%d partitions), acks=1, linger.ms=1, "
            + "128 KiB batches; latency from send to acknowledgement; each phase's producer warms up for %d s first, not counted; idle phase %d s; the "
            + "cleaning phase counts from the cleaner's start (the alter, made once the producer is warm; or, in the restart fallback, where both "
            + "phases warm up for 3 s instead, from then) to the compacted topic's last shrink, and ends %d s after it%n", rateLabel(options),
            options.messagesPerSecond(), options.valueBytes(), CleanerLatencyRun.PRODUCE_TOPIC, options.partitions(), options.warmup().toSeconds(),
            options.phase().toSeconds(), options.settle().toSeconds()));
        md.append("- each system on a fresh broker, one after the other, on this machine; `sync` before each phase; broker settings: ");
        for (int i = 0; i < results.size(); i++)
        {
            md.append(i == 0 ? "" : "; ").append('`').append(results.get(i).system().label()).append("` ")
                .append(options.brokerSettings(results.get(i).system()));
        }
        md.append("\n\n");

        md.append("| system | phase | seconds counted | records | errors | p50 (ms) | p99 (ms) | p99.9 (ms) | max (ms) | broker CPU (s, user+sys) |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (final CleanerLatencyRun.Result r : results)
        {
            for (final CleanerLatencyRun.Phase phase : List.of(r.idle(), r.cleaning()))
            {
                final Histogram h = phase.latency();
                md.append(String.format(Locale.ROOT, "| %s | %s | %.1f | %,d | %d | %.2f | %.2f | %.2f | %.2f | %.1f (%.1f+%.1f) |%n", r.system().label(),
                    phase.name(), countedSeconds(phase), h.getTotalCount(), phase.errors(), h.getValueAtPercentile(50) / 1000.0,
                    h.getValueAtPercentile(99) / 1000.0, h.getValueAtPercentile(99.9) / 1000.0, h.getMaxValue() / 1000.0,
                    phase.brokerCpu().totalSeconds(), phase.brokerCpu().userSeconds(), phase.brokerCpu().systemSeconds()));
            }
        }
        md.append("\n| system | cleaner started by | outcome | size before (MiB) | after (MiB) | removed (MiB) | first shrink after (s) "
            + "| cleaning (s) | read (MiB/s) | removed (MiB/s) | broker's own figure (MiB/s) | p99 cleaning/idle | p99.9 cleaning/idle | within "
            + BOUND + "× |\n");
        md.append("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (final CleanerLatencyRun.Result r : results)
        {
            final CleanerLatencyRun.Cleaning c = r.cleaner();
            final double p99 = ratio(r, 99);
            final double p999 = ratio(r, 99.9);
            final double reported = KafkaCleanerLog.mbPerSecond(c.brokerReported(), CleanerLatencyRun.COMPACTED_TOPIC + "-0");
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %.1f | %.1f | %.1f | %s | %s | %s | %s | %s | %s | %s | %s |%n", r.system().label(),
                c.trigger() == CleanerLatencyRun.Trigger.ALTER ? "IncrementalAlterConfigs" : "restart (alter refused)",
                c.state().name().toLowerCase(Locale.ROOT).replace('_', ' '), c.sizeBefore() / MIB, c.sizeAfter() / MIB,
                (c.sizeBefore() - c.sizeAfter()) / MIB, fixed(c.secondsToFirstShrink()), fixed(c.secondsToLastShrink()), fixed(c.readMibPerSecond()),
                fixed(c.removedMibPerSecond()), fixed(reported), times(p99), times(p999),
                !c.state().equals(ShrinkDetector.State.SETTLED) ? "— (no clean seen)" : p99 <= BOUND && p999 <= BOUND ? "yes" : "no"));
        }
        md.append("\nread = the compacted topic's size before ÷ the cleaning time (from the cleaner's start to the last shrink, so it includes "
            + "any wait before the cleaner's first pass: log.cleaner.backoff.ms, Kafka's 15 s unless set lower); the broker's own figure is "
            + "Kafka's log cleaner report (MB of log processed ÷ seconds, from its log-cleaner.log; Kafka's MB are MiB).\n");
        for (final CleanerLatencyRun.Result r : results)
        {
            if (r.cleaner().refusal() != null)
            {
                md.append("\n").append(r.system().label()).append(": IncrementalAlterConfigs was refused (").append(r.cleaner().refusal())
                    .append("), so the broker ran with log.cleaner.min.cleanable.ratio=1.0 as its default, was restarted after the fill ")
                    .append("so that both phases run on a just-started JVM, and restarted with 0.01 to start the clean ")
                    .append("(the cleaning time includes that restart).\n");
            }
            final List<long[]> idleSizes = r.idle().sizes().stream().filter(s -> s[1] >= 0).toList();
            if (!idleSizes.isEmpty() && idleSizes.get(idleSizes.size() - 1)[1] < idleSizes.get(0)[1])
            {
                md.append("\n").append(r.system().label()).append(": the compacted topic shrank during the idle phase: the cleaner was not idle.\n");
            }
        }
        return md.toString();
    }

    private static double countedSeconds(final CleanerLatencyRun.Phase phase)
    {
        final Histogram h = phase.latency();
        return h.getTotalCount() == 0 ? 0 : (h.getEndTimeStamp() - h.getStartTimeStamp()) / 1000.0;
    }

    private static String rateLabel(final CleanerLatencyOptions options)
    {
        return String.format(Locale.ROOT, "%.2f MiB/s", options.rateBytesPerSecond() / MIB);
    }

    private static String fixed(final double value)
    {
        return Double.isFinite(value) ? String.format(Locale.ROOT, "%.1f", value) : "—";
    }

    private static String times(final double value)
    {
        return Double.isFinite(value) ? String.format(Locale.ROOT, "%.2f×", value) : "—";
    }
}
