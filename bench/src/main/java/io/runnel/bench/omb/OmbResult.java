package io.runnel.bench.omb;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

import org.HdrHistogram.Histogram;

/**
 * A workload's result in OpenMessaging Benchmark's JSON layout: per-window series (rates,
 * backlog, latency percentiles) and the aggregated latencies over the whole measured period,
 * all latencies in milliseconds as OMB reports them.
 */
public final class OmbResult
{
    private static final double[] PERCENTILES = {50, 75, 95, 99, 99.9, 99.99};
    private static final String[] SUFFIXES = {"50pct", "75pct", "95pct", "99pct", "999pct", "9999pct"};

    private final Workload workload;
    private final Driver driver;
    private final int topics;
    private final Duration window;
    private final List<Double> publishRate = new ArrayList<>();
    private final List<Double> consumeRate = new ArrayList<>();
    private final List<Long> backlog = new ArrayList<>();
    private final List<double[]> publishLatency = new ArrayList<>();
    private final List<double[]> endToEndLatency = new ArrayList<>();
    private Histogram aggregatedPublish;
    private Histogram aggregatedEndToEnd;
    private long sendErrors;
    private long totalBytesSent;
    private long totalBytesReceived;
    private double measuredSeconds;
    private long measuredMessagesSent;
    private long measuredBytesSent;
    private long measuredMessagesReceived;
    private long measuredBytesReceived;

    OmbResult(final Workload workload, final Driver driver, final int topics, final Duration window)
    {
        this.workload = workload;
        this.driver = driver;
        this.topics = topics;
        this.window = window;
    }

    void addWindow(final double publish, final double consume, final long backlogMessages, final Histogram publishHistogram,
        final Histogram endToEndHistogram)
    {
        publishRate.add(publish);
        consumeRate.add(consume);
        backlog.add(backlogMessages);
        publishLatency.add(summary(publishHistogram));
        endToEndLatency.add(summary(endToEndHistogram));
    }

    void aggregate(final Histogram publish, final Histogram endToEnd, final long errors)
    {
        aggregatedPublish = publish;
        aggregatedEndToEnd = endToEnd;
        sendErrors = errors;
    }

    /**
     * Totals of the measured period (after the warm-up): its length, and the messages and payload bytes
     * acknowledged to producers and received by consumers in it.
     */
    void measured(final double seconds, final long messagesSent, final long bytesSent, final long messagesReceived, final long bytesReceived)
    {
        measuredSeconds = seconds;
        measuredMessagesSent = messagesSent;
        measuredBytesSent = bytesSent;
        measuredMessagesReceived = messagesReceived;
        measuredBytesReceived = bytesReceived;
    }

    /** Payload bytes acknowledged and consumed over the whole run, warm-up included (what the broker's CPU time is spent on). */
    void totals(final long bytesSent, final long bytesReceived)
    {
        totalBytesSent = bytesSent;
        totalBytesReceived = bytesReceived;
    }

    public long totalBytesSent()
    {
        return totalBytesSent;
    }

    public long totalBytesReceived()
    {
        return totalBytesReceived;
    }

    public Workload workload()
    {
        return workload;
    }

    public Duration window()
    {
        return window;
    }

    /** Publish rate of each measured window, messages per second. */
    public List<Double> publishRates()
    {
        return Collections.unmodifiableList(publishRate);
    }

    public List<Double> consumeRates()
    {
        return Collections.unmodifiableList(consumeRate);
    }

    public long sendErrors()
    {
        return sendErrors;
    }

    public Histogram aggregatedPublish()
    {
        return aggregatedPublish;
    }

    public Histogram aggregatedEndToEnd()
    {
        return aggregatedEndToEnd;
    }

    /**
     * Publish rate over the measured period, messages per second: messages acknowledged in it over its
     * length (the windows' rates weighted by their lengths).
     */
    public double meanPublishRate()
    {
        return measuredSeconds > 0 ? measuredMessagesSent / measuredSeconds : publishRate.stream().mapToDouble(Double::doubleValue).average().orElse(0);
    }

    /** Consume rate over the measured period, messages per second. */
    public double meanConsumeRate()
    {
        return measuredSeconds > 0 ? measuredMessagesReceived / measuredSeconds : consumeRate.stream().mapToDouble(Double::doubleValue).average().orElse(0);
    }

    /** avg, p50, p75, p95, p99, p99.9, p99.99, max — milliseconds. */
    private static double[] summary(final Histogram h)
    {
        final double[] s = new double[PERCENTILES.length + 2];
        s[0] = h.getTotalCount() == 0 ? 0 : h.getMean() / 1000.0;
        for (int i = 0; i < PERCENTILES.length; i++)
        {
            s[i + 1] = h.getValueAtPercentile(PERCENTILES[i]) / 1000.0;
        }
        s[s.length - 1] = h.getMaxValue() / 1000.0;
        return s;
    }

    public String toJson()
    {
        final StringBuilder json = new StringBuilder("{\n");
        field(json, "workload", quote(workload.name()));
        field(json, "driver", quote(driver.name()));
        field(json, "messageSize", Integer.toString(workload.messageSize()));
        field(json, "topics", Integer.toString(topics));
        field(json, "partitions", Integer.toString(workload.partitionsPerTopic()));
        field(json, "producersPerTopic", Integer.toString(workload.producersPerTopic()));
        field(json, "consumersPerTopic", Integer.toString(workload.subscriptionsPerTopic() * workload.consumerPerSubscription()));
        field(json, "sendErrors", Long.toString(sendErrors));
        field(json, "windowSeconds", format(window.toMillis() / 1000.0));
        field(json, "totalBytesSent", Long.toString(totalBytesSent));
        field(json, "totalBytesReceived", Long.toString(totalBytesReceived));
        // Not in OMB's layout: the measured period's totals, from which its rates follow exactly.
        field(json, "measuredSeconds", format(measuredSeconds));
        field(json, "measuredMessagesSent", Long.toString(measuredMessagesSent));
        field(json, "measuredBytesSent", Long.toString(measuredBytesSent));
        field(json, "measuredMessagesReceived", Long.toString(measuredMessagesReceived));
        field(json, "measuredBytesReceived", Long.toString(measuredBytesReceived));
        field(json, "aggregatedPublishRate", format(meanPublishRate()));
        field(json, "aggregatedConsumeRate", format(meanConsumeRate()));
        field(json, "publishRate", list(publishRate));
        field(json, "consumeRate", list(consumeRate));
        field(json, "backlog", list(backlog));
        series(json, "publishLatency", publishLatency);
        series(json, "endToEndLatency", endToEndLatency);
        aggregated(json, "aggregatedPublishLatency", summary(aggregatedPublish));
        aggregated(json, "aggregatedEndToEndLatency", summary(aggregatedEndToEnd));
        json.setLength(json.length() - 2);
        return json.append("\n}\n").toString();
    }

    private static void series(final StringBuilder json, final String name, final List<double[]> windows)
    {
        final String[] names = names(name);
        for (int i = 0; i < names.length; i++)
        {
            final List<Double> values = new ArrayList<>();
            for (final double[] window : windows)
            {
                values.add(window[i]);
            }
            field(json, names[i], list(values));
        }
    }

    private static void aggregated(final StringBuilder json, final String name, final double[] summary)
    {
        final String[] names = names(name);
        for (int i = 0; i < names.length; i++)
        {
            field(json, names[i], format(summary[i]));
        }
    }

    private static String[] names(final String base)
    {
        final String[] names = new String[SUFFIXES.length + 2];
        names[0] = base + "Avg";
        for (int i = 0; i < SUFFIXES.length; i++)
        {
            names[i + 1] = base + SUFFIXES[i];
        }
        names[names.length - 1] = base + "Max";
        return names;
    }

    private static void field(final StringBuilder json, final String name, final String value)
    {
        json.append("  \"").append(name).append("\": ").append(value).append(",\n");
    }

    private static String list(final List<? extends Number> values)
    {
        final StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < values.size(); i++)
        {
            out.append(i == 0 ? "" : ", ").append(values.get(i) instanceof Double d ? format(d) : values.get(i).toString());
        }
        return out.append(']').toString();
    }

    private static String format(final double value)
    {
        return String.format(Locale.ROOT, "%.3f", value);
    }

    private static String quote(final String value)
    {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
