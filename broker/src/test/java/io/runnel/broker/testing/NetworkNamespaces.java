package io.runnel.broker.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A network of its own for each node of a test cluster: one Linux network namespace per node, each
 * joined by a veth pair to a bridge in the root namespace, on a private /24 of 10.213.0.0/16 that
 * no interface or route of the host uses yet. Node i is {@code 10.213.x.(10+i)}; the bridge, and so
 * the test's own clients in the root namespace, is {@code 10.213.x.1}. Nodes reach each other across
 * the bridge (switched, so the host's forwarding setting does not matter) and the root namespace
 * reaches every node.
 *
 * <p>{@link #isolate} cuts a node off from the other nodes, not from the root namespace, the way a
 * pulled cable between racks would: inside each namespace concerned, the other side's address gets a
 * permanent neighbour entry naming a MAC address that no interface has, so its frames are flooded by
 * the bridge and dropped by every receiver. Nothing tells the sender (no ICMP, no send error), as on a
 * real partition. This needs only {@code ip}: the test machines have no iptables, nft, netem or tc
 * actions. {@link #heal} deletes those entries and ARP takes over again.
 *
 * <p>Names carry this JVM's pid, so a run that crashed leaves nothing the next run trips on, and
 * {@link #create} first deletes what a run whose JVM is gone left behind. {@link #close} deletes the
 * veths, the bridge and the namespaces, also from a shutdown hook if the JVM exits before it.
 */
public final class NetworkNamespaces implements AutoCloseable
{
    private static final String PREFIX = "10.213.";
    /** Node i's host part: 10+i, clear of the bridge's .1. */
    private static final int FIRST_HOST = 10;
    /** Locally administered, unicast, and on no interface: frames to it go nowhere. */
    private static final String NOWHERE_MAC = "02:00:00:00:de:ad";
    /** The interface name inside every namespace. */
    private static final String NODE_IF = "eth0";
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
    /** Namespace names: runnel-net-&lt;pid&gt;-&lt;node id&gt;. */
    private static final Pattern OUR_NAMESPACE = Pattern.compile("^(runnel-net-(\\d+)-\\d+)\\b");
    /** Root-side link names: rnb&lt;pid&gt; (the bridge) and rnv&lt;pid&gt;n&lt;node id&gt; (a veth); 15 characters at most. */
    private static final Pattern OUR_LINK = Pattern.compile("^\\d+: (rn[bv](\\d+)(?:n\\d+)?)[@:]");

    /** Names carry the pid alone, so a JVM has one network at a time. */
    private static final AtomicBoolean OPEN = new AtomicBoolean();

    private final long pid = ProcessHandle.current().pid();
    private final int size;
    private final String subnet;
    private final String bridge = "rnb" + pid;
    private final Set<String> cut = new LinkedHashSet<>();
    private final Thread shutdownHook = new Thread(this::deleteAll, "network-namespaces-cleanup");
    private boolean closed;

    private NetworkNamespaces(final int size, final String subnet)
    {
        this.size = size;
        this.subnet = subnet;
    }

    /**
     * Why network namespaces cannot be made here (not root, no {@code ip}, namespaces refused), or
     * null when they can: a test skips itself with this as the reason.
     */
    public static String unavailableReason()
    {
        final String uid;
        try
        {
            uid = run(List.of("id", "-u")).trim();
        }
        catch (final IOException ex)
        {
            return "cannot tell the user id: " + ex.getMessage();
        }
        if (!uid.equals("0"))
        {
            return "network namespaces need root; running as uid " + uid;
        }
        final String probe = "runnel-probe-" + ProcessHandle.current().pid();
        try
        {
            run(List.of("ip", "netns", "add", probe));
            run(List.of("ip", "netns", "del", probe));
            return null;
        }
        catch (final IOException ex)
        {
            return "'ip netns add' does not work here: " + ex.getMessage();
        }
    }

    /** Makes {@code size} namespaces (nodes 1..size), the bridge and the veths, or throws, having deleted what it made. */
    public static NetworkNamespaces create(final int size) throws IOException
    {
        if (!OPEN.compareAndSet(false, true))
        {
            throw new IllegalStateException("one network per JVM at a time: close the other first");
        }
        final NetworkNamespaces network;
        try
        {
            reapLeftovers();
            network = new NetworkNamespaces(size, freeSubnet());
        }
        catch (final IOException | RuntimeException ex)
        {
            OPEN.set(false);
            throw ex;
        }
        Runtime.getRuntime().addShutdownHook(network.shutdownHook);
        try
        {
            network.build();
            return network;
        }
        catch (final IOException | RuntimeException ex)
        {
            network.close();
            throw ex;
        }
    }

    private void build() throws IOException
    {
        run(List.of("ip", "link", "add", bridge, "type", "bridge"));
        run(List.of("ip", "addr", "add", gateway() + "/24", "dev", bridge));
        run(List.of("ip", "link", "set", bridge, "up"));
        for (int nodeId = 1; nodeId <= size; nodeId++)
        {
            final String ns = namespace(nodeId);
            run(List.of("ip", "netns", "add", ns));
            run(List.of("ip", "link", "add", veth(nodeId), "type", "veth", "peer", "name", NODE_IF, "netns", ns));
            run(List.of("ip", "link", "set", veth(nodeId), "master", bridge, "up"));
            run(List.of("ip", "-n", ns, "addr", "add", host(nodeId) + "/24", "dev", NODE_IF));
            run(List.of("ip", "-n", ns, "link", "set", NODE_IF, "up"));
            run(List.of("ip", "-n", ns, "link", "set", "lo", "up"));
        }
    }

    /** Node {@code nodeId}'s address, in its own namespace. */
    public String host(final int nodeId)
    {
        checkNode(nodeId);
        return subnet + "." + (FIRST_HOST + nodeId);
    }

    /** The root namespace's address on the bridge: where the test's clients connect from. */
    public String gateway()
    {
        return subnet + ".1";
    }

    public String namespace(final int nodeId)
    {
        checkNode(nodeId);
        return "runnel-net-" + pid + "-" + nodeId;
    }

    /** Where a child broker of node {@code nodeId} runs: on its address, inside its namespace. */
    public ChildBroker.Placement placement(final int nodeId)
    {
        return new ChildBroker.Placement(host(nodeId), List.of("ip", "netns", "exec", namespace(nodeId)));
    }

    /** Cuts node {@code nodeId} off from every other node, both ways; the root namespace still reaches it. */
    public void isolate(final int nodeId) throws IOException
    {
        for (int other = 1; other <= size; other++)
        {
            if (other != nodeId)
            {
                blackhole(nodeId, other);
                blackhole(other, nodeId);
            }
        }
    }

    /** Undoes every {@link #isolate}: each node reaches every other again. */
    public void heal() throws IOException
    {
        final List<String> entries = new ArrayList<>(cut);
        for (final String entry : entries)
        {
            final String[] nsAndAddress = entry.split(" ");
            run(List.of("ip", "-n", nsAndAddress[0], "neigh", "del", nsAndAddress[1], "dev", NODE_IF));
            cut.remove(entry);
        }
    }

    /** Frames from {@code from} to {@code to} go to a MAC address nobody has. */
    private void blackhole(final int from, final int to) throws IOException
    {
        run(List.of("ip", "-n", namespace(from), "neigh", "replace", host(to), "lladdr", NOWHERE_MAC, "nud", "permanent", "dev", NODE_IF));
        cut.add(namespace(from) + " " + host(to));
    }

    /** Deletes the veths, the bridge and the namespaces (processes still inside keep theirs until they exit). */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        try
        {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        }
        catch (final IllegalStateException ex)
        {
            // the JVM is exiting: the hook runs, or has run, this same clean-up
        }
        deleteAll();
        OPEN.set(false);
    }

    private void deleteAll()
    {
        for (int nodeId = 1; nodeId <= size; nodeId++)
        {
            // Deleting one end of a veth deletes both, at once; a namespace's own devices go only when it is freed.
            runQuietly(List.of("ip", "link", "del", veth(nodeId)));
        }
        runQuietly(List.of("ip", "link", "del", bridge));
        for (int nodeId = 1; nodeId <= size; nodeId++)
        {
            runQuietly(List.of("ip", "netns", "del", namespace(nodeId)));
        }
    }

    private String veth(final int nodeId)
    {
        return "rnv" + pid + "n" + nodeId;
    }

    private void checkNode(final int nodeId)
    {
        if (nodeId < 1 || nodeId > size)
        {
            throw new IllegalArgumentException("node " + nodeId + " of 1.." + size);
        }
    }

    /** A 10.213.x subnet that no address or route of the root namespace touches, starting from one picked by pid. */
    private static String freeSubnet() throws IOException
    {
        final String inUse = run(List.of("ip", "-4", "-o", "addr", "show")) + run(List.of("ip", "-4", "-o", "route", "show"));
        final int start = (int)(ProcessHandle.current().pid() % 254);
        for (int i = 0; i < 254; i++)
        {
            final String candidate = PREFIX + (1 + (start + i) % 254);
            if (!inUse.contains(candidate + "."))
            {
                return candidate;
            }
        }
        throw new IOException("every 10.213.x.0/24 is in use: " + inUse);
    }

    /** Deletes namespaces, bridges and veths that earlier runs made and whose JVM is gone (a crash, a kill -9). */
    private static void reapLeftovers() throws IOException
    {
        for (final String line : run(List.of("ip", "-o", "link", "show")).split("\n"))
        {
            final Matcher matcher = OUR_LINK.matcher(line);
            if (matcher.find() && isGone(matcher.group(2)))
            {
                runQuietly(List.of("ip", "link", "del", matcher.group(1)));
            }
        }
        for (final String line : run(List.of("ip", "netns", "list")).split("\n"))
        {
            final Matcher matcher = OUR_NAMESPACE.matcher(line);
            if (matcher.find() && isGone(matcher.group(2)))
            {
                runQuietly(List.of("ip", "netns", "del", matcher.group(1)));
            }
        }
    }

    /**
     * The run that made it has ended: its JVM is gone, or it is this JVM, which makes one network at a
     * time and reaps before it does (a container often gives a new run the pid a crashed one had).
     */
    private static boolean isGone(final String pid)
    {
        final long owner = Long.parseLong(pid);
        return owner == ProcessHandle.current().pid() || ProcessHandle.of(owner).map(process -> !process.isAlive()).orElse(true);
    }

    private static void runQuietly(final List<String> command)
    {
        try
        {
            run(command);
        }
        catch (final IOException ex)
        {
            // clean-up of what may be gone already
        }
    }

    /**
     * Runs {@code command}, bounded in time; its output, or an IOException with its output when it
     * fails. The output goes to a file, so a long one cannot block the command on a full pipe.
     */
    private static String run(final List<String> command) throws IOException
    {
        final Path output = Files.createTempFile("runnel-netns-", ".out");
        try
        {
            final Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            try
            {
                if (!process.waitFor(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
                {
                    process.destroyForcibly();
                    throw new IOException(String.join(" ", command) + " did not finish within " + COMMAND_TIMEOUT);
                }
            }
            catch (final InterruptedException ex)
            {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted running " + String.join(" ", command), ex);
            }
            final String printed = Files.readString(output, StandardCharsets.UTF_8);
            if (process.exitValue() != 0)
            {
                throw new IOException(String.join(" ", command) + " exited " + process.exitValue() + ": " + printed.trim());
            }
            return printed;
        }
        finally
        {
            Files.deleteIfExists(output);
        }
    }
}
