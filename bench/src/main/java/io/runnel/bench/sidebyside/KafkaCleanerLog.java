package io.runnel.bench.sidebyside;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads Apache Kafka's own account of each clean from its log (LogCleaner's INFO report, one per
 * cleaned log, several lines long):
 *
 * <pre>
 *     Log cleaner thread 0 cleaned log compacted-0 (dirty section = [0, 1048576])
 *     1,024.0 MB of log processed in 12.3 seconds (83.2 MB/sec).
 *     Indexed 1,024.0 MB in 5.1 seconds (200.7 Mb/sec, 41.5% of total time)
 *     ...
 *     Start size: 1,024.0 MB (1,048,576 messages)
 *     End size: 100.2 MB (102,400 messages)
 * </pre>
 *
 * Kafka formats with {@code %,.1f} and its MB are 2^20 bytes. Lines may carry any log4j prefix;
 * a report cut short (the broker stopped while writing it) is skipped.
 */
final class KafkaCleanerLog
{
    private static final String NUMBER = "([0-9][0-9,]*(?:\\.[0-9]+)?)";
    private static final Pattern HEADER = Pattern.compile(
        "Log cleaner thread (\\d+) cleaned log (\\S+) \\(dirty section = \\[(-?\\d+), (-?\\d+)\\]\\)");
    private static final Pattern PROCESSED = Pattern.compile(NUMBER + " MB of log processed in " + NUMBER + " seconds \\(" + NUMBER + " MB/sec\\)");
    private static final Pattern START_SIZE = Pattern.compile("Start size: " + NUMBER + " MB \\(" + NUMBER + " messages\\)");
    private static final Pattern END_SIZE = Pattern.compile("End size: " + NUMBER + " MB \\(" + NUMBER + " messages\\)");

    private KafkaCleanerLog()
    {
    }

    /** One clean of one log as Kafka reported it; sizes in Kafka's MB (MiB). */
    record Clean(int thread, String log, long firstDirtyOffset, long endOffset, double mbProcessed, double seconds, double mbPerSecond,
        double startSizeMb, long startMessages, double endSizeMb, long endMessages)
    {
    }

    /** Every complete report in {@code text}, in the order written. */
    static List<Clean> parse(final String text)
    {
        final List<MatchResult> headers = HEADER.matcher(text).results().toList();
        final List<Clean> cleans = new ArrayList<>();
        for (int i = 0; i < headers.size(); i++)
        {
            final MatchResult h = headers.get(i);
            // A report's lines run up to the next report's header.
            final String body = text.substring(h.end(), i + 1 < headers.size() ? headers.get(i + 1).start() : text.length());
            final Matcher processed = PROCESSED.matcher(body);
            final Matcher start = START_SIZE.matcher(body);
            final Matcher stop = END_SIZE.matcher(body);
            if (processed.find() && start.find() && stop.find())
            {
                cleans.add(new Clean(Integer.parseInt(h.group(1)), h.group(2), Long.parseLong(h.group(3)), Long.parseLong(h.group(4)),
                    number(processed.group(1)), number(processed.group(2)), number(processed.group(3)),
                    number(start.group(1)), (long)number(start.group(2)), number(stop.group(1)), (long)number(stop.group(2))));
            }
        }
        return cleans;
    }

    /**
     * MB processed over seconds spent, summed over the cleans of one log (by name); NaN if there are none. Each clean's
     * time is taken as its MB over its rate: the seconds are printed with one decimal, the rate comes from unrounded
     * figures, so one clean yields Kafka's own rate.
     */
    static double mbPerSecond(final List<Clean> cleans, final String log)
    {
        double mb = 0;
        double seconds = 0;
        for (final Clean clean : cleans)
        {
            if (clean.log().equals(log) && clean.mbPerSecond() > 0)
            {
                mb += clean.mbProcessed();
                seconds += clean.mbProcessed() / clean.mbPerSecond();
            }
        }
        return seconds > 0 ? mb / seconds : Double.NaN;
    }

    private static double number(final String formatted)
    {
        return Double.parseDouble(formatted.replace(",", ""));
    }
}
