package io.runnel.broker;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code RunnelMain [server.properties] [--override key=value]...}: starts a broker in the
 * foreground, prints one line with its address when clients can connect, and shuts down cleanly
 * on SIGTERM or Ctrl-C.
 */
public final class RunnelMain
{
    private RunnelMain()
    {
    }

    public static void main(final String[] args)
    {
        // Before any Aeron class loads: Aeron's own clients read their driver timeout once.
        io.runnel.cluster.quorum.PauseTolerance.installProcessDefaults();
        io.runnel.cluster.quorum.TransportPolling.installProcessDefault();
        final BrokerConfig config;
        try
        {
            config = parseArgs(args);
        }
        catch (final IllegalArgumentException | java.io.UncheckedIOException ex)
        {
            System.err.println("runnel: " + ex.getMessage());
            System.err.println("usage: runnel broker [server.properties] [--override key=value]...");
            System.exit(2);
            return;
        }
        final RunnelBroker broker = new RunnelBroker(config);
        try
        {
            broker.start();
        }
        catch (final Exception ex)
        {
            System.err.println("runnel: cannot start: " + ex.getMessage());
            broker.close();
            System.exit(1);
            return;
        }
        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            broker.close();
            stopped.countDown();
        }, "runnel-shutdown"));
        System.out.println("Runnel broker listening on " + broker.bootstrapServers() + " (data in " +
            config.logDir().toAbsolutePath().normalize() + ", " + config.shards() + " shards)");
        System.out.flush();
        try
        {
            stopped.await();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    static BrokerConfig parseArgs(final String[] args)
    {
        Path file = null;
        final Map<String, String> overrides = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++)
        {
            if (args[i].equals("--override"))
            {
                if (i + 1 >= args.length || !args[i + 1].contains("="))
                {
                    throw new IllegalArgumentException("--override needs key=value");
                }
                final String pair = args[++i];
                overrides.put(pair.substring(0, pair.indexOf('=')).trim(), pair.substring(pair.indexOf('=') + 1).trim());
            }
            else if (file == null && !args[i].startsWith("--"))
            {
                file = Path.of(args[i]);
            }
            else
            {
                throw new IllegalArgumentException("unexpected argument '" + args[i] + "'");
            }
        }
        return BrokerConfig.parse(file, overrides);
    }
}
