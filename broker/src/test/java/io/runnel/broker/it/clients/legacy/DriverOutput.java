package io.runnel.broker.it.clients.legacy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one {@link LegacyJavaClientDriver} run printed: its exit status, its stderr (the client's own
 * warnings, a stack trace) and its stdout lines, each {@code <kind> key=value ...}, kept in order.
 */
record DriverOutput(int exitStatus, List<Line> lines, String stderr)
{
    record Line(String kind, Map<String, String> fields)
    {
        String get(final String key)
        {
            final String value = fields.get(key);
            if (value == null)
            {
                throw new IllegalStateException("no " + key + " in " + kind + " " + fields);
            }
            return value;
        }

        int getInt(final String key)
        {
            return Integer.parseInt(get(key));
        }

        long getLong(final String key)
        {
            return Long.parseLong(get(key));
        }
    }

    static DriverOutput parse(final int exitStatus, final List<String> stdout, final String stderr)
    {
        final List<Line> lines = new ArrayList<>();
        for (final String text : stdout)
        {
            final String[] words = text.trim().split(" ");
            final Map<String, String> fields = new LinkedHashMap<>();
            for (int i = 1; i < words.length; i++)
            {
                final int equals = words[i].indexOf('=');
                if (equals > 0)
                {
                    fields.put(words[i].substring(0, equals), words[i].substring(equals + 1));
                }
            }
            lines.add(new Line(words[0], fields));
        }
        return new DriverOutput(exitStatus, List.copyOf(lines), stderr);
    }

    List<Line> all(final String kind)
    {
        return lines.stream().filter(line -> line.kind().equals(kind)).toList();
    }

    Line one(final String kind)
    {
        final List<Line> found = all(kind);
        if (found.size() != 1)
        {
            throw new IllegalStateException("expected one " + kind + " line, got " + found.size() + ": " + this);
        }
        return found.get(0);
    }
}
