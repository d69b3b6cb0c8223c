package io.runnel.bench.sidebyside;

import java.awt.Color;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import io.runnel.bench.omb.OmbResult;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The harness's plots (XChart, PNG), every system of a scenario on the same axes: the latency
 * percentile spectrum on a log axis, where tails differ, and the rates over time, where stalls show.
 */
final class Plots
{
    private static final int WIDTH = 1000;
    private static final int HEIGHT = 600;
    private static final double MIB = 1024.0 * 1024.0;
    private static final Color KAFKA_BLUE = new Color(0x1f, 0x77, 0xb4);
    private static final Color RUNNEL_ORANGE = new Color(0xff, 0x7f, 0x0e);
    private static final Color[] OTHER_COLOURS = {new Color(0x2c, 0xa0, 0x2c), new Color(0x94, 0x67, 0xbd), new Color(0x8c, 0x56, 0x4b),
        new Color(0xd6, 0x27, 0x28)};

    private Plots()
    {
    }

    /**
     * Publish or end-to-end latency by percentile, HdrHistogram's percentile distribution: x is
     * log10(1/(1-p)), so 90%, 99%, 99.9%... are equally spaced, and latency is on a log axis.
     */
    static void latencySpectrum(final Path png, final String title, final List<RunRecord> runs, final Function<OmbResult, Histogram> latency)
        throws IOException
    {
        final Map<String, Histogram> series = new LinkedHashMap<>();
        for (final RunRecord run : runs)
        {
            series.put(run.system().label(), latency.apply(run.result()));
        }
        latencySpectrum(png, title, series);
    }

    /** The same spectrum for any named histograms (microseconds), one line each, in the map's order. */
    static void latencySpectrum(final Path png, final String title, final Map<String, Histogram> series) throws IOException
    {
        final XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
            .xAxisTitle("percentile").yAxisTitle("latency (ms, log)").build();
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setXAxisMin(0.0);
        chart.getStyler().setxAxisTickLabelsFormattingFunction(Plots::percentileLabel);
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNW);
        for (final Map.Entry<String, Histogram> entry : series.entrySet())
        {
            final Histogram histogram = entry.getValue();
            if (histogram == null || histogram.getTotalCount() == 0)
            {
                continue;
            }
            final List<Double> x = new ArrayList<>();
            final List<Double> y = new ArrayList<>();
            for (final HistogramIterationValue value : histogram.percentiles(5))
            {
                final double percentile = value.getPercentileLevelIteratedTo();
                if (percentile >= 100.0)
                {
                    break;
                }
                x.add(Math.log10(1.0 / (1.0 - percentile / 100.0)));
                // A log axis cannot show 0, and end-to-end latency has millisecond resolution (record timestamps):
                // values under 0.1 ms are plotted at 0.1 ms.
                y.add(Math.max(value.getValueIteratedTo(), 100) / 1000.0);
            }
            if (!x.isEmpty())
            {
                line(chart, chart.addSeries(entry.getKey(), x, y));
            }
        }
        save(chart, png);
    }

    /** Named series of (seconds, MiB) points, e.g. a log's size over time while it is cleaned. */
    static void sizeOverTime(final Path png, final String title, final String xTitle, final Map<String, List<double[]>> series) throws IOException
    {
        final XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xTitle).yAxisTitle("MiB").build();
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideS);
        chart.getStyler().setYAxisMin(0.0);
        for (final Map.Entry<String, List<double[]>> entry : series.entrySet())
        {
            if (entry.getValue().isEmpty())
            {
                continue;
            }
            line(chart, chart.addSeries(entry.getKey(), entry.getValue().stream().map(p -> p[0]).toList(),
                entry.getValue().stream().map(p -> p[1]).toList()));
        }
        save(chart, png);
    }

    /** Publish and consume throughput (MiB/s of payload) of each measured window. */
    static void throughputOverTime(final Path png, final String title, final List<RunRecord> runs) throws IOException
    {
        final XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
            .xAxisTitle("time into the measured period (s)").yAxisTitle("MiB/s of payload").build();
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideS);
        chart.getStyler().setYAxisMin(0.0);
        for (final RunRecord run : runs)
        {
            final OmbResult result = run.result();
            final double messageMib = result.workload().messageSize() / MIB;
            final double windowSeconds = result.window().toMillis() / 1000.0;
            addRateSeries(chart, run.system().label() + " publish", result.publishRates(), messageMib, windowSeconds);
            if (result.workload().subscriptionsPerTopic() > 0)
            {
                addRateSeries(chart, run.system().label() + " consume", result.consumeRates(), messageMib, windowSeconds);
            }
        }
        save(chart, png);
    }

    private static void addRateSeries(final XYChart chart, final String name, final List<Double> messagesPerSecond, final double messageMib,
        final double windowSeconds)
    {
        if (messagesPerSecond.isEmpty())
        {
            return;
        }
        final List<Double> x = new ArrayList<>();
        final List<Double> y = new ArrayList<>();
        for (int i = 0; i < messagesPerSecond.size(); i++)
        {
            x.add((i + 1) * windowSeconds);
            y.add(messagesPerSecond.get(i) * messageMib);
        }
        line(chart, chart.addSeries(name, x, y));
    }

    /**
     * One colour per system in every plot (Kafka blue, Runnel orange, other systems by name); a
     * system's second and later series in a chart (consume, cleaning) are dashed in its colour.
     * A series is named "<system label>" or "<system label> <what>".
     */
    private static void line(final XYChart chart, final XYSeries series)
    {
        series.setMarker(SeriesMarkers.NONE);
        final String system = systemOf(series.getName());
        series.setLineColor(colourOf(system));
        final long earlier = chart.getSeriesMap().values().stream()
            .filter(other -> other != series && systemOf(other.getName()).equals(system)).count();
        series.setLineStyle(earlier == 0 ? SeriesLines.SOLID : SeriesLines.DASH_DASH);
    }

    private static String systemOf(final String seriesName)
    {
        final int space = seriesName.indexOf(' ');
        return space < 0 ? seriesName : seriesName.substring(0, space);
    }

    private static Color colourOf(final String system)
    {
        final String name = system.toLowerCase(java.util.Locale.ROOT);
        if (name.contains("kafka"))
        {
            return KAFKA_BLUE;
        }
        if (name.equals("runnel"))
        {
            return RUNNEL_ORANGE;
        }
        return OTHER_COLOURS[Math.floorMod(name.hashCode(), OTHER_COLOURS.length)];
    }

    /** Labels the whole nines (0, 90, 99, 99.9...%) and leaves the ticks between them blank. */
    private static String percentileLabel(final Double x)
    {
        final long nines = Math.round(x);
        if (nines < 0 || Math.abs(x - nines) > 1e-6)
        {
            return "";
        }
        return nines == 0 ? "0%" : nines == 1 ? "90%" : nines == 2 ? "99%" : "99." + "9".repeat((int)nines - 2) + "%";
    }

    private static void save(final XYChart chart, final Path png) throws IOException
    {
        try (OutputStream out = Files.newOutputStream(png))
        {
            BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
        }
    }
}
