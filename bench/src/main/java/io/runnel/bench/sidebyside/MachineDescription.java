package io.runnel.bench.sidebyside;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The head of a results folder's summary: when, on what machine, with which code, by which command, and what was compared. */
final class MachineDescription
{
    private MachineDescription()
    {
    }

    static String header(final BenchOptions options, final List<Scenario> scenarios, final List<SystemUnderTest> systems)
    {
        final StringBuilder md = new StringBuilder(options.brokers() > 1 ? "# Side by side, " + options.brokers() + " brokers per system\n\n"
            : "# Side by side\n\n");
        md.append("- date: ").append(SideBySide.now()).append('\n');
        md.append("- machine: ").append(machine()).append('\n');
        md.append("- JVM: ").append(System.getProperty("java.vm.name")).append(' ').append(System.getProperty("java.vm.version")).append('\n');
        md.append("- Runnel commit: ").append(SideBySide.commandOutput("git", "-C", options.home().toString(), "rev-parse", "--short", "HEAD"))
            .append(SideBySide.commandOutput("git", "-C", options.home().toString(), "status", "--porcelain", "--untracked-files=no").isEmpty()
                ? "" : " (with uncommitted changes)").append('\n');
        md.append("- Apache Kafka: ").append(kafkaVersion(options.kafkaLib())).append(", JVM options ")
            .append(String.join(" ", ApacheKafkaProcess.DEFAULT_JVM_OPTIONS)).append('\n');
        md.append("- Runnel JVM options: ").append(String.join(" ", RunnelProcess.DEFAULT_JVM_OPTIONS)).append('\n');
        md.append("- command: `bin/runnel bench").append(options.commandLine().isEmpty() ? "" : " " + options.commandLine()).append("`\n");
        if (options.brokers() > 1)
        {
            md.append("- brokers: ").append(options.brokers()).append(" per system, one system at a time, all on this machine (127.0.0.1): ")
                .append("Apache Kafka as combined KRaft broker+controller nodes (bench/apache-kafka/server.properties less its single-node keys), ")
                .append("Runnel as combined nodes of its Aeron quorum with runnel.replication.enable=true; each node gets the JVM options above; ")
                .append("broker CPU, RSS and disk are summed over the nodes\n");
        }
        md.append("- warm-up ").append(options.warmupLabel()).append(", measured ").append(options.durationLabel())
            .append(" per run; each run on a fresh broker and data folder; the load runner runs on the same machine as the broker\n");
        md.append("- systems: ");
        for (int i = 0; i < systems.size(); i++)
        {
            md.append(i == 0 ? "" : "; ").append('`').append(systems.get(i).label()).append("` = ").append(systems.get(i).describe());
        }
        md.append("\n- scenarios:\n");
        for (final Scenario scenario : scenarios)
        {
            md.append("  - `").append(scenario.name()).append("`: ").append(options.home().relativize(scenario.workloadFile().toAbsolutePath()))
                .append(" with ").append(options.home().relativize(scenario.driverFile().toAbsolutePath())).append('\n');
        }
        return md.toString();
    }

    /** The kernel, CPU count and model, and memory of this machine, on one line. */
    static String machine()
    {
        return SideBySide.commandOutput("uname", "-srm") + ", " + Runtime.getRuntime().availableProcessors() + " CPUs (" + cpuModel() + "), "
            + memTotal();
    }

    private static String cpuModel()
    {
        return grep(Path.of("/proc/cpuinfo"), "model name").replaceFirst(".*:\\s*", "");
    }

    private static String memTotal()
    {
        final String line = grep(Path.of("/proc/meminfo"), "MemTotal");
        final String kib = line.replaceAll("[^0-9]", "");
        return kib.isEmpty() ? "memory unknown" : (Long.parseLong(kib) >> 20) + " GiB RAM";
    }

    static String kafkaVersion(final Path lib)
    {
        try (Stream<Path> jars = Files.list(lib))
        {
            return jars.map(p -> p.getFileName().toString()).filter(n -> n.matches("kafka_2\\.13-.*\\.jar"))
                .map(n -> n.replace("kafka_2.13-", "").replace(".jar", "")).findFirst().orElse("unknown");
        }
        catch (final IOException ex)
        {
            return "not fetched";
        }
    }

    private static String grep(final Path file, final String prefix)
    {
        try (Stream<String> lines = Files.lines(file))
        {
            return lines.filter(l -> l.startsWith(prefix)).findFirst().orElse("unknown");
        }
        catch (final IOException ex)
        {
            return "unknown";
        }
    }
}
