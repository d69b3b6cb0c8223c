package io.runnel.bench.sidebyside;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.HdrHistogram.Histogram;

/**
 * The Markdown summary of a side-by-side run: one table row per system and scenario, then each
 * system's ratios to the first one listed (the baseline), which is how the targets are stated.
 */
final class SummaryTable
{
    private static final double MIB = 1024.0 * 1024.0;

    private SummaryTable()
    {
    }

    static String render(final String header, final List<SystemUnderTest> systems, final List<RunRecord> runs)
    {
        final StringBuilder md = new StringBuilder(header);
        md.append("\n## Results\n\n");
        final int brokers = runs.isEmpty() ? 1 : runs.get(0).brokers();
        md.append("Latencies in ms (publish: send to acknowledgement; end-to-end: producer timestamp to consumer receipt, whole milliseconds). ")
            .append(brokers > 1
                ? "CPU is the user+system time of the " + brokers + " broker processes added up, over the whole run, warm-up included (kernel %: the system-time share), "
                    + "and per GiB of payload produced plus consumed by the clients (replication traffic between brokers is not counted in the GiB); "
                    + "peak RSS is the brokers' peaks added up, disk their data folders'.\n\n"
                : "CPU is the broker process's user+system time over the whole run, warm-up included (kernel %: the system-time share), and per GiB of payload produced plus consumed.\n\n");
        md.append("| scenario | system | publish msg/s | publish MiB/s | consume MiB/s | pub p50 | pub p99 | pub p99.9 | pub p99.99 | e2e p50 | e2e p99 | e2e p99.9 | e2e p99.99 | e2e max | broker CPU s | kernel % | CPU s/GiB | peak RSS MiB | disk MiB | errors |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        final Map<String, List<RunRecord>> byScenario = byScenario(runs);
        for (final List<RunRecord> scenarioRuns : byScenario.values())
        {
            for (final RunRecord run : scenarioRuns)
            {
                final double messageMib = run.result().workload().messageSize() / MIB;
                final Histogram pub = run.result().aggregatedPublish();
                final Histogram e2e = run.result().aggregatedEndToEnd();
                md.append(String.format(Locale.ROOT, "| %s | %s | %,.0f | %.1f | %.1f | %s | %s | %s | %s | %s | %s | %s | %s | %s | %.1f | %.0f | %.2f | %.0f | %.0f | %d |%n",
                    run.scenario().name(), run.system().label(), run.result().meanPublishRate(), run.result().meanPublishRate() * messageMib,
                    run.result().meanConsumeRate() * messageMib, ms(pub, 50), ms(pub, 99), ms(pub, 99.9), ms(pub, 99.99),
                    ms(e2e, 50), ms(e2e, 99), ms(e2e, 99.9), ms(e2e, 99.99), max(e2e), run.brokerCpuSeconds(), 100 * run.kernelShare(), run.cpuSecondsPerGib(), run.peakRssBytes() / MIB, run.bytesOnDisk() / MIB,
                    run.result().sendErrors()));
            }
        }
        if (systems.size() > 1)
        {
            ratios(md, systems, byScenario);
        }
        return md.toString();
    }

    private static void ratios(final StringBuilder md, final List<SystemUnderTest> systems, final Map<String, List<RunRecord>> byScenario)
    {
        final String baseline = systems.get(0).label();
        md.append("\n## Ratios to ").append(baseline).append("\n\n");
        md.append("Throughput: above 1 is better. Latency, CPU per GiB and RSS: below 1 is better.\n\n");
        md.append("| scenario | system | publish rate | consume rate | pub p99 | pub p99.9 | pub p99.99 | e2e p99 | e2e p99.9 | e2e p99.99 | CPU s/GiB | peak RSS |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (final List<RunRecord> scenarioRuns : byScenario.values())
        {
            final RunRecord base = scenarioRuns.stream().filter(r -> r.system().label().equals(baseline)).findFirst().orElse(null);
            if (base == null)
            {
                continue;
            }
            for (final RunRecord run : scenarioRuns)
            {
                if (run == base)
                {
                    continue;
                }
                md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n", run.scenario().name(),
                    run.system().label(),
                    ratio(run.result().meanPublishRate(), base.result().meanPublishRate()),
                    ratio(run.result().meanConsumeRate(), base.result().meanConsumeRate()),
                    ratio(p(run.result().aggregatedPublish(), 99), p(base.result().aggregatedPublish(), 99)),
                    ratio(p(run.result().aggregatedPublish(), 99.9), p(base.result().aggregatedPublish(), 99.9)),
                    ratio(p(run.result().aggregatedPublish(), 99.99), p(base.result().aggregatedPublish(), 99.99)),
                    ratio(p(run.result().aggregatedEndToEnd(), 99), p(base.result().aggregatedEndToEnd(), 99)),
                    ratio(p(run.result().aggregatedEndToEnd(), 99.9), p(base.result().aggregatedEndToEnd(), 99.9)),
                    ratio(p(run.result().aggregatedEndToEnd(), 99.99), p(base.result().aggregatedEndToEnd(), 99.99)),
                    ratio(run.cpuSecondsPerGib(), base.cpuSecondsPerGib()),
                    ratio(run.peakRssBytes(), base.peakRssBytes())));
            }
        }
    }

    private static Map<String, List<RunRecord>> byScenario(final List<RunRecord> runs)
    {
        final Map<String, List<RunRecord>> grouped = new LinkedHashMap<>();
        for (final RunRecord run : runs)
        {
            grouped.computeIfAbsent(run.scenario().name(), k -> new java.util.ArrayList<>()).add(run);
        }
        return grouped;
    }

    private static double p(final Histogram h, final double percentile)
    {
        return h == null || h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile);
    }

    private static String ms(final Histogram h, final double percentile)
    {
        final double micros = p(h, percentile);
        return Double.isNaN(micros) ? "–" : String.format(Locale.ROOT, "%.1f", micros / 1000.0);
    }

    private static String max(final Histogram h)
    {
        return h == null || h.getTotalCount() == 0 ? "–" : String.format(Locale.ROOT, "%.0f", h.getMaxValue() / 1000.0);
    }

    private static String ratio(final double value, final double base)
    {
        return Double.isNaN(value) || Double.isNaN(base) || base == 0 ? "–" : String.format(Locale.ROOT, "%.2f×", value / base);
    }
}
