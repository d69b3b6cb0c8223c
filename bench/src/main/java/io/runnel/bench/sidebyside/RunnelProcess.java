package io.runnel.bench.sidebyside;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.runnel.bench.cluster.BrokerLaunch;

/**
 * Runnel as {@code bin/runnel broker} with the shipped config/server.properties, a fresh data folder
 * and the harness's port; further broker settings (shard count, idle strategy, flush policy) come
 * as {@code --override}s so that one binary serves every configuration compared.
 */
final class RunnelProcess extends BrokerProcess
{
    static final List<String> DEFAULT_JVM_OPTIONS = BrokerLaunch.RUNNEL_JVM_OPTIONS;

    private final Path home;
    private final Map<String, String> overrides;
    private final List<String> jvmOptions;

    RunnelProcess(final Path home, final Path dataDir, final int port, final Path logFile, final Map<String, String> overrides,
        final List<String> jvmOptions)
    {
        super(dataDir, port, logFile);
        this.home = home;
        this.overrides = overrides;
        this.jvmOptions = jvmOptions;
    }

    @Override
    String name()
    {
        return "Runnel";
    }

    @Override
    protected ProcessBuilder command()
    {
        final List<String> command = new ArrayList<>(List.of(home.resolve("bin/runnel").toString(), "broker",
            "--override", "log.dirs=" + dataDir,
            "--override", "listeners=PLAINTEXT://127.0.0.1:" + port));
        overrides.forEach((key, value) -> command.addAll(List.of("--override", key + "=" + value)));
        final ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("RUNNEL_JAVA_OPTS", String.join(" ", jvmOptions));
        builder.environment().put(BrokerLaunch.NO_REBUILD, "1");
        return builder;
    }
}
