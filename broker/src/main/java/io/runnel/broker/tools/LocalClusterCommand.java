package io.runnel.broker.tools;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code bin/runnel cluster N}: writes the {@code server.properties} of N combined broker and
 * controller nodes ({@link LocalClusterLayout}), starts each with {@code bin/runnel broker <file>}
 * and runs them in the foreground ({@link LocalClusterSupervisor}) until Ctrl-C or SIGTERM stops them all.
 */
@Command(name = "bin/runnel cluster", sortOptions = false, usageHelpAutoWidth = true,
    description = "Starts a local cluster of N nodes on 127.0.0.1, each a broker and a controller, in the foreground: writes "
        + "DIR/node-<id>/server.properties (rewritten on every start; data in DIR/node-<id>/logs), starts every node with "
        + "bin/runnel broker, prints the bootstrap servers and each node's output behind its id. Ctrl-C or SIGTERM stops "
        + "every node; a node that fails stops the others.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:every node stopped when asked (or exited cleanly by itself)",
        "1:a node failed",
        "2:bad usage"})
public final class LocalClusterCommand implements Callable<Integer>
{
    /** The system property bin/runnel sets to the repository root, where bin/runnel is. */
    public static final String HOME_PROPERTY = "runnel.home";
    /** A node's clean shutdown closes its logs; past this it is killed. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);
    private static final int FAILED = 1;

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "N", description = "Number of nodes, 1 to " + LocalClusterLayout.MAX_NODES + " (3 is the usual).")
    private int nodeCount;

    @Option(names = "--base-port", paramLabel = "P", defaultValue = "" + LocalClusterLayout.DEFAULT_BASE_PORT,
        description = "Node 1's PLAINTEXT port (default: ${DEFAULT-VALUE}). Node i listens on P+(i-1)*10 (PLAINTEXT) and the port "
            + "above (CONTROLLER, whose port and the four above are the quorum's UDP ports).")
    private int basePort;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "./data",
        description = "Where the node folders go (default: ${DEFAULT-VALUE}).")
    private Path dataDir;

    @Option(names = "--override", paramLabel = "key=value", description = "A broker key set on every node (e.g. runnel.shards=1); repeatable.")
    private Map<String, String> overrides = new LinkedHashMap<>();

    @Option(names = "--keep-going", description = "A node that fails or is killed does not stop the others (to try failover).")
    private boolean keepGoing;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    private boolean help;

    private final Path launcher;
    private final PrintStream out;

    private LocalClusterCommand(final Path launcher, final PrintStream out)
    {
        this.launcher = launcher;
        this.out = out;
    }

    public static void main(final String[] args)
    {
        final String home = System.getProperty(HOME_PROPERTY);
        if (home == null)
        {
            System.err.println("cluster: run it as bin/runnel cluster (the " + HOME_PROPERTY + " property is not set)");
            System.exit(CommandLine.ExitCode.USAGE);
        }
        final PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        System.exit(run(args, Path.of(home).resolve("bin").resolve("runnel"), System.out, err));
    }

    /**
     * Runs the command as {@code main} does.
     *
     * @param launcher what starts a node: {@code launcher broker <server.properties>}
     * @return the exit status
     */
    public static int run(final String[] args, final Path launcher, final PrintStream out, final PrintWriter err)
    {
        final CommandLine commandLine = new CommandLine(new LocalClusterCommand(launcher, out));
        commandLine.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        commandLine.setErr(err);
        final int status = commandLine.execute(args);
        err.flush();
        return status;
    }

    @Override
    public Integer call() throws IOException, InterruptedException
    {
        final LocalClusterLayout layout;
        try
        {
            layout = LocalClusterLayout.of(nodeCount, basePort, dataDir, overrides);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ParameterException(spec.commandLine(), ex.getMessage());
        }
        if (!Files.isExecutable(launcher))
        {
            throw new ParameterException(spec.commandLine(), "cannot run " + launcher);
        }
        layout.write();
        out.println("[cluster] " + nodeCount + " node(s), data in " + dataDir.toAbsolutePath().normalize() + "/node-<id>");
        out.println("[cluster] bootstrap servers: " + layout.bootstrapServers());
        out.println("[cluster] Ctrl-C stops every node");
        out.flush();

        final LocalClusterSupervisor supervisor = new LocalClusterSupervisor(out, keepGoing, STOP_GRACE);
        final Thread stopOnSignal = new Thread(supervisor::stop, "cluster-shutdown");
        Runtime.getRuntime().addShutdownHook(stopOnSignal);
        try
        {
            supervisor.start(layout.nodes().stream()
                .map(node -> new LocalClusterSupervisor.NodeCommand(node.id(),
                    List.of(launcher.toString(), "broker", node.propertiesFile().toString())))
                .toList());
            return supervisor.awaitExit();
        }
        catch (final UncheckedIOException ex)
        {
            out.println("[cluster] " + ex.getMessage() + ": " + ex.getCause().getMessage());
            return FAILED;
        }
        finally
        {
            removeHook(stopOnSignal);
        }
    }

    /** Once every node has exited there is nothing to stop; during a JVM shutdown the hook is already running. */
    private static void removeHook(final Thread hook)
    {
        try
        {
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        catch (final IllegalStateException ex)
        {
            // shutting down: the hook is what stopped the nodes
        }
    }
}
