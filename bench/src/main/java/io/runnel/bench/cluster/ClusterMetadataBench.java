package io.runnel.bench.cluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.runnel.bench.omb.BenchConfigException;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * What a metadata quorum costs and how fast it recovers, for Runnel and Apache Kafka side by side,
 * each as a 3-node cluster of combined broker+controller nodes on this machine (one system at a
 * time): CreateTopics of 6-partition topics one at a time and several in flight, DeleteTopics, the
 * time to elect a new controller after kill -9 of the active one, and the time to fence a killed
 * broker. Stock AdminClient throughout; every loop is bounded in count and time.
 *
 * <p>{@code bin/runnel bench metadata [--system label=kafka|runnel[,home=DIR]]... [--topics N]
 * [--repeats N] [--in-flight N] [--output DIR]}.
 */
public final class ClusterMetadataBench
{
    private static final int NODES = 3;
    private static final int PARTITIONS = 6;
    /** Untimed wait after a restarted node is listed again, before the next kill: long enough for it to catch up with the quorum. */
    private static final long SETTLE_MS = 5_000;
    private static final long RECOVERY_TIMEOUT_MS = 60_000;
    private static final long POLL_MS = 20;

    private final Path root;
    private final int topics;
    private final int repeats;
    private final int inFlight;

    private ClusterMetadataBench(final Path root, final int topics, final int repeats, final int inFlight)
    {
        this.root = root;
        this.topics = topics;
        this.repeats = repeats;
        this.inFlight = inFlight;
    }

    /** One system under test: its label, what it is and where it comes from. */
    record SystemSpec(String label, LocalCluster.Kind kind, Path home)
    {
        static SystemSpec parse(final String spec, final Path defaultHome)
        {
            final String[] parts = spec.split(",");
            final int eq = parts[0].indexOf('=');
            if (eq <= 0)
            {
                throw new BenchConfigException("--system wants label=kafka|runnel[,home=DIR], not " + spec);
            }
            final String label = parts[0].substring(0, eq);
            final LocalCluster.Kind kind = switch (parts[0].substring(eq + 1))
            {
                case "kafka" -> LocalCluster.Kind.KAFKA;
                case "runnel" -> LocalCluster.Kind.RUNNEL;
                default -> throw new BenchConfigException("--system " + label + ": kafka or runnel, not " + parts[0].substring(eq + 1));
            };
            Path home = defaultHome;
            for (int i = 1; i < parts.length; i++)
            {
                if (!parts[i].startsWith("home="))
                {
                    throw new BenchConfigException("--system " + label + ": only home=DIR may follow, not " + parts[i]);
                }
                home = Path.of(parts[i].substring("home=".length()));
            }
            return new SystemSpec(label, kind, home);
        }
    }

    public static void main(final String[] args)
    {
        // The AdminClient's INFO lines would bury the figures.
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        try
        {
            final Path home = Path.of(System.getProperty("runnel.home", "."));
            final List<SystemSpec> systems = new ArrayList<>();
            int topics = 300;
            int repeats = 5;
            int inFlight = 8;
            Path output = home.resolve("bench/target/cluster-metadata/out-" + Instant.now().toString().replace(':', '-'));
            for (int i = 0; i < args.length; i++)
            {
                final String arg = args[i];
                if (i + 1 >= args.length)
                {
                    throw new BenchConfigException(arg + " needs a value");
                }
                final String value = args[++i];
                switch (arg)
                {
                    case "--system" -> systems.add(SystemSpec.parse(value, home));
                    case "--topics" -> topics = positive(arg, value);
                    case "--repeats" -> repeats = positive(arg, value);
                    case "--in-flight" -> inFlight = positive(arg, value);
                    case "--output" -> output = Path.of(value);
                    default -> throw new BenchConfigException("unknown option " + arg);
                }
            }
            if (systems.isEmpty())
            {
                systems.add(new SystemSpec("kafka", LocalCluster.Kind.KAFKA, home));
                systems.add(new SystemSpec("runnel", LocalCluster.Kind.RUNNEL, home));
            }
            Files.createDirectories(output);
            final ClusterMetadataBench bench = new ClusterMetadataBench(output, topics, repeats, inFlight);
            final Map<String, Object> results = new LinkedHashMap<>();
            results.put("date", Instant.now().toString());
            results.put("command", "bin/runnel bench metadata " + String.join(" ", args));
            results.put("topics", topics);
            results.put("partitionsPerTopic", PARTITIONS);
            results.put("inFlight", inFlight);
            results.put("repeats", repeats);
            final Map<String, Object> bySystem = new LinkedHashMap<>();
            for (final SystemSpec system : systems)
            {
                System.out.println("== " + system.label() + " (" + system.kind() + ", 3 nodes) ==");
                bySystem.put(system.label(), bench.run(system));
            }
            results.put("systems", bySystem);
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(output.resolve("results.json").toFile(), results);
            Files.writeString(output.resolve("summary.md"), Summary.of(results));
            System.out.println("results in " + output);
        }
        catch (final BenchConfigException ex)
        {
            System.err.println("bench: " + ex.getMessage());
            System.exit(2);
        }
        catch (final Exception ex)
        {
            ex.printStackTrace();
            System.exit(1);
        }
    }

    private static int positive(final String option, final String value)
    {
        try
        {
            final int parsed = Integer.parseInt(value);
            if (parsed > 0)
            {
                return parsed;
            }
        }
        catch (final NumberFormatException ignored)
        {
            // answered below
        }
        throw new BenchConfigException(option + " wants a positive whole number, not " + value);
    }

    private Map<String, Object> run(final SystemSpec system) throws Exception
    {
        final Map<String, Object> out = new LinkedHashMap<>();
        try (LocalCluster cluster = startCluster(system); Admin admin = cluster.admin())
        {
            out.put("createOneAtATime", create(admin, "seq-", 1));
            out.put("createInFlight", create(admin, "pip-", inFlight));
            out.put("visibleOnEveryBrokerMs", visibleEverywhere(cluster, "pip-"));
            out.put("delete", delete(admin));
            final List<Map<String, Object>> elections = new ArrayList<>();
            for (int i = 0; i < repeats; i++)
            {
                elections.add(electionAfterKill(cluster, admin, i));
            }
            out.put("controllerElection", elections);
            final List<Map<String, Object>> fences = new ArrayList<>();
            for (int i = 0; i < repeats; i++)
            {
                fences.add(fenceAfterKill(cluster, admin, i));
            }
            out.put("brokerFence", fences);
        }
        return out;
    }

    private LocalCluster startCluster(final SystemSpec system) throws Exception
    {
        final Path systemRoot = root.resolve(system.label());
        final Map<String, String> settings = new LinkedHashMap<>();
        // Both systems' own defaults for offsets: a single replica here, as every topic of this run.
        settings.put("offsets.topic.replication.factor", "1");
        if (system.kind() == LocalCluster.Kind.KAFKA)
        {
            settings.put("transaction.state.log.replication.factor", "1");
            settings.put("transaction.state.log.min.isr", "1");
        }
        // Runnel's quorum driver folder in the node's folder, where the run's other files are, not under /dev/shm.
        final IntFunction<Map<String, String>> nodeSettings = id -> system.kind() == LocalCluster.Kind.RUNNEL
            ? Map.of("runnel.quorum.aeron.dir", systemRoot.resolve("node-" + id).resolve("aeron").toString())
            : Map.of();
        return LocalCluster.start(system.label(), system.kind(), system.home(), NODES, systemRoot, settings, nodeSettings,
            id -> systemRoot.resolve("node-" + id).resolve("node.log"));
    }

    /** {@code count} topics created through CreateTopics, at most {@code parallel} in flight. */
    private Map<String, Object> create(final Admin admin, final String prefix, final int parallel) throws Exception
    {
        final Histogram latencyUs = new Histogram(TimeUnit.MINUTES.toMicros(1), 3);
        final Semaphore slots = new Semaphore(parallel);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final long startNs = System.nanoTime();
        for (int i = 0; i < topics && failure.get() == null; i++)
        {
            if (!slots.tryAcquire(RECOVERY_TIMEOUT_MS, TimeUnit.MILLISECONDS))
            {
                throw new IllegalStateException("CreateTopics did not answer within " + RECOVERY_TIMEOUT_MS + " ms");
            }
            final long sentNs = System.nanoTime();
            admin.createTopics(List.of(new NewTopic(prefix + i, PARTITIONS, (short)1))).all().whenComplete((ignored, error) ->
            {
                if (error != null)
                {
                    failure.compareAndSet(null, error);
                }
                synchronized (latencyUs)
                {
                    latencyUs.recordValue(Math.max(1, (System.nanoTime() - sentNs) / 1_000));
                }
                slots.release();
            });
        }
        if (!slots.tryAcquire(parallel, RECOVERY_TIMEOUT_MS, TimeUnit.MILLISECONDS))
        {
            throw new IllegalStateException("CreateTopics did not answer within " + RECOVERY_TIMEOUT_MS + " ms");
        }
        final double seconds = (System.nanoTime() - startNs) / 1e9;
        if (failure.get() != null)
        {
            throw new IllegalStateException("CreateTopics failed", failure.get());
        }
        final Map<String, Object> out = new LinkedHashMap<>();
        out.put("inFlight", parallel);
        out.put("topicsPerSecond", topics / seconds);
        out.put("partitionsPerSecond", topics * PARTITIONS / seconds);
        synchronized (latencyUs)
        {
            out.put("latencyMsP50", latencyUs.getValueAtPercentile(50) / 1000.0);
            out.put("latencyMsP99", latencyUs.getValueAtPercentile(99) / 1000.0);
            out.put("latencyMsMax", latencyUs.getMaxValue() / 1000.0);
        }
        System.out.printf("  create (%d in flight): %.0f topics/s, p50 %.1f ms, p99 %.1f ms%n", parallel, topics / seconds,
            (Double)out.get("latencyMsP50"), (Double)out.get("latencyMsP99"));
        return out;
    }

    /** How long after the last CreateTopics answered until every broker's Metadata lists every topic. */
    private long visibleEverywhere(final LocalCluster cluster, final String prefix) throws Exception
    {
        final long startMs = System.currentTimeMillis();
        for (final ClusterNode node : cluster.nodes())
        {
            try (Admin one = LocalCluster.admin(node.bootstrap()))
            {
                while (one.listTopics().names().get(10, TimeUnit.SECONDS).stream().filter(name -> name.startsWith(prefix)).count() < topics)
                {
                    if (System.currentTimeMillis() - startMs > RECOVERY_TIMEOUT_MS)
                    {
                        throw new IllegalStateException("node " + node.nodeId() + " never listed every topic");
                    }
                    Thread.sleep(POLL_MS);
                }
            }
        }
        return System.currentTimeMillis() - startMs;
    }

    private Map<String, Object> delete(final Admin admin) throws Exception
    {
        final Set<String> names = new TreeSet<>(admin.listTopics().names().get(30, TimeUnit.SECONDS));
        names.removeIf(name -> !name.startsWith("seq-") && !name.startsWith("pip-"));
        final long startNs = System.nanoTime();
        for (final String name : names)
        {
            admin.deleteTopics(List.of(name)).all().get(30, TimeUnit.SECONDS);
        }
        final double seconds = (System.nanoTime() - startNs) / 1e9;
        final Map<String, Object> out = new LinkedHashMap<>();
        out.put("topics", names.size());
        out.put("topicsPerSecond", names.size() / seconds);
        System.out.printf("  delete one at a time: %.0f topics/s%n", names.size() / seconds);
        return out;
    }

    /** kill -9 of the active controller: ms until the survivors name another leader, and until a CreateTopics succeeds. */
    private Map<String, Object> electionAfterKill(final LocalCluster cluster, final Admin admin, final int round) throws Exception
    {
        final int leader = admin.describeMetadataQuorum().quorumInfo().get(30, TimeUnit.SECONDS).leaderId();
        final ClusterNode victim = cluster.nodes().get(leader - 1);
        victim.kill();
        final long killedNs = System.nanoTime();
        final Map<String, Object> out = new LinkedHashMap<>();
        out.put("killed", leader);
        try (Admin survivors = LocalCluster.admin(cluster.bootstrap(leader)))
        {
            final int[] next = {-1};
            awaitCondition(killedNs, "no new controller was elected", () ->
            {
                next[0] = survivors.describeMetadataQuorum().quorumInfo().get(2, TimeUnit.SECONDS).leaderId();
                return next[0] >= 0 && next[0] != leader;
            });
            out.put("newLeader", next[0]);
            out.put("electedMs", (System.nanoTime() - killedNs) / 1_000_000);
            awaitCondition(killedNs, "no CreateTopics succeeded after the kill", () ->
            {
                survivors.createTopics(List.of(new NewTopic("after-election-" + round, PARTITIONS, (short)1))).all().get(5, TimeUnit.SECONDS);
                return true;
            });
            out.put("firstCreateMs", (System.nanoTime() - killedNs) / 1_000_000);
        }
        out.put("rejoinedMs", restartAndAwait(victim, cluster, admin));
        System.out.println("  controller election after kill -9: " + out);
        return out;
    }

    /** kill -9 of a broker that is not the active controller: ms until another broker's Metadata no longer lists it. */
    private Map<String, Object> fenceAfterKill(final LocalCluster cluster, final Admin admin, final int round) throws Exception
    {
        final int leader = admin.describeMetadataQuorum().quorumInfo().get(30, TimeUnit.SECONDS).leaderId();
        // Each round one of the two nodes that do not lead, in turn: killing the leader would time an election too.
        final List<ClusterNode> followers = cluster.nodes().stream().filter(node -> node.nodeId() != leader).toList();
        final ClusterNode victim = followers.get(round % followers.size());
        victim.kill();
        final long killedNs = System.nanoTime();
        final Map<String, Object> out = new LinkedHashMap<>();
        out.put("killed", victim.nodeId());
        try (Admin survivors = LocalCluster.admin(cluster.bootstrap(victim.nodeId())))
        {
            awaitCondition(killedNs, "broker " + victim.nodeId() + " was never fenced",
                () -> !LocalCluster.listed(survivors.describeCluster().nodes().get(2, TimeUnit.SECONDS)).contains(victim.nodeId()));
            out.put("fencedMs", (System.nanoTime() - killedNs) / 1_000_000);
        }
        out.put("rejoinedMs", restartAndAwait(victim, cluster, admin));
        System.out.println("  broker fenced after kill -9: " + out);
        return out;
    }

    /**
     * Starts {@code node} again on its folder; ms until the cluster lists all its brokers. Then it
     * waits {@link #SETTLE_MS} more, untimed, so the next kill does not land while the restarted voter
     * is still catching up with the quorum: an election between one caught-up voter and one catching
     * up takes longer on both systems, and would be timed as the next round's election.
     */
    private long restartAndAwait(final ClusterNode node, final LocalCluster cluster, final Admin admin) throws Exception
    {
        final long startNs = System.nanoTime();
        node.start();
        cluster.awaitBrokers(admin, LocalCluster.START_TIMEOUT_MS);
        final long rejoinedMs = (System.nanoTime() - startNs) / 1_000_000;
        Thread.sleep(SETTLE_MS);
        return rejoinedMs;
    }

    /** A condition polled until it holds; a failure to ask counts as "not yet". */
    @FunctionalInterface
    private interface Condition
    {
        boolean holds() throws Exception;
    }

    /** Polls {@code condition} every {@link #POLL_MS} until it holds, at most {@link #RECOVERY_TIMEOUT_MS} after {@code sinceNs}. */
    private static void awaitCondition(final long sinceNs, final String failure, final Condition condition) throws InterruptedException
    {
        while (true)
        {
            try
            {
                if (condition.holds())
                {
                    return;
                }
            }
            catch (final InterruptedException ex)
            {
                throw ex;
            }
            catch (final Exception retriable)
            {
                // asked again after the pause
            }
            if (System.nanoTime() - sinceNs > TimeUnit.MILLISECONDS.toNanos(RECOVERY_TIMEOUT_MS))
            {
                throw new IllegalStateException(failure + " within " + RECOVERY_TIMEOUT_MS + " ms");
            }
            Thread.sleep(POLL_MS);
        }
    }

    /** The summary.md of a run. */
    static final class Summary
    {
        private Summary()
        {
        }

        @SuppressWarnings("unchecked")
        static String of(final Map<String, Object> results)
        {
            final StringBuilder md = new StringBuilder("# Cluster metadata: 3 combined nodes per system\n\n");
            md.append("- date: ").append(results.get("date")).append("\n- command: `").append(results.get("command")).append("`\n");
            md.append("- ").append(results.get("topics")).append(" topics of ").append(results.get("partitionsPerTopic"))
                .append(" partitions, replication factor 1; ").append(results.get("repeats")).append(" kills of each kind\n\n");
            md.append("| system | create 1 at a time topics/s | p50 / p99 ms | create ").append(results.get("inFlight"))
                .append(" in flight topics/s | p50 / p99 ms | visible on every broker ms | delete topics/s | election ms (median, max) | first create after kill ms (median) | fence ms (median, max) |\n");
            md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            final Map<String, Object> systems = (Map<String, Object>)results.get("systems");
            for (final Map.Entry<String, Object> entry : systems.entrySet())
            {
                final Map<String, Object> r = (Map<String, Object>)entry.getValue();
                final Map<String, Object> seq = (Map<String, Object>)r.get("createOneAtATime");
                final Map<String, Object> pip = (Map<String, Object>)r.get("createInFlight");
                final Map<String, Object> del = (Map<String, Object>)r.get("delete");
                final List<Map<String, Object>> elections = (List<Map<String, Object>>)r.get("controllerElection");
                final List<Map<String, Object>> fences = (List<Map<String, Object>>)r.get("brokerFence");
                md.append(String.format("| %s | %.0f | %.1f / %.1f | %.0f | %.1f / %.1f | %s | %.0f | %s | %s | %s |%n", entry.getKey(),
                    (Double)seq.get("topicsPerSecond"), (Double)seq.get("latencyMsP50"), (Double)seq.get("latencyMsP99"),
                    (Double)pip.get("topicsPerSecond"), (Double)pip.get("latencyMsP50"), (Double)pip.get("latencyMsP99"),
                    r.get("visibleOnEveryBrokerMs"), (Double)del.get("topicsPerSecond"),
                    medianAndMax(elections, "electedMs"), median(elections, "firstCreateMs"),
                    medianAndMax(fences, "fencedMs")));
            }
            return md.toString();
        }

        private static String median(final List<Map<String, Object>> rounds, final String key)
        {
            final List<Long> values = values(rounds, key);
            return values.isEmpty() ? "-" : Long.toString(values.get(values.size() / 2));
        }

        private static String medianAndMax(final List<Map<String, Object>> rounds, final String key)
        {
            final List<Long> values = values(rounds, key);
            return values.isEmpty() ? "-" : values.get(values.size() / 2) + ", " + values.get(values.size() - 1);
        }

        private static List<Long> values(final List<Map<String, Object>> rounds, final String key)
        {
            final List<Long> values = new ArrayList<>();
            rounds.forEach(round -> values.add(((Number)round.get(key)).longValue()));
            values.sort(Long::compare);
            return values;
        }
    }
}
