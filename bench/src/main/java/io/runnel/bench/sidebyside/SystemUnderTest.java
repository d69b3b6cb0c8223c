package io.runnel.bench.sidebyside;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import io.runnel.bench.omb.BenchConfigException;

/**
 * A broker configuration to measure: which broker, and which settings override its defaults.
 * Written on the command line as {@code label=kafka} or {@code label=runnel,key=value,key=value},
 * e.g. {@code one-shard=runnel,runnel.shards=1}, so the harness compares Runnel configurations with
 * each other as readily as Runnel with Apache Kafka. The one reserved key, {@code home=DIR}, names
 * another checkout to run Runnel from (or to find Kafka's jars in), e.g. {@code before=runnel,home=/work/wt-before}
 * for a before/after comparison in one run; it is not a broker setting.
 */
record SystemUnderTest(String label, Kind kind, Optional<Path> home, Map<String, String> overrides)
{
    enum Kind
    {
        KAFKA, RUNNEL
    }

    static SystemUnderTest parse(final String spec)
    {
        final int equals = spec.indexOf('=');
        if (equals <= 0)
        {
            throw new BenchConfigException("--system must be label=kafka or label=runnel[,key=value...], was '" + spec + "'");
        }
        final String label = spec.substring(0, equals);
        if (!label.matches("[a-zA-Z0-9._-]+"))
        {
            throw new BenchConfigException("--system label '" + label + "' may hold only letters, digits, '.', '_' and '-'");
        }
        final String[] parts = spec.substring(equals + 1).split(",");
        final Kind kind = switch (parts[0])
        {
            case "kafka" -> Kind.KAFKA;
            case "runnel" -> Kind.RUNNEL;
            default -> throw new BenchConfigException("--system " + label + ": broker must be kafka or runnel, was '" + parts[0] + "'");
        };
        final Map<String, String> overrides = new LinkedHashMap<>();
        Path home = null;
        for (int i = 1; i < parts.length; i++)
        {
            final int eq = parts[i].indexOf('=');
            if (eq <= 0)
            {
                throw new BenchConfigException("--system " + label + ": '" + parts[i] + "' is not key=value");
            }
            final String key = parts[i].substring(0, eq);
            final String value = parts[i].substring(eq + 1);
            if (key.equals("home"))
            {
                home = Path.of(value).toAbsolutePath().normalize();
            }
            else
            {
                overrides.put(key, value);
            }
        }
        return new SystemUnderTest(label, kind, Optional.ofNullable(home), overrides);
    }

    /** The checkout this system runs from: its own {@code home=}, else the one the harness runs from. */
    Path homeOr(final Path harnessHome)
    {
        return home.orElse(harnessHome);
    }

    String describe()
    {
        final String broker = kind == Kind.KAFKA ? "Apache Kafka" : "Runnel";
        final String from = home.map(h -> broker + " from " + h).orElse(broker);
        return overrides.isEmpty() ? from : from + " " + overrides;
    }
}
