package io.runnel.broker.it.clients.legacy;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@link LegacyJavaClientDriver} in a child JVM whose class path is one old kafka-clients' jars
 * ({@code target/old-clients/<version>/}, which the build's copy-old-java-clients execution fills) plus a
 * directory holding the driver's class files alone: nothing of kafka-clients 4.x or of Runnel can be loaded.
 * A run that outlives {@link #TIMEOUT} is killed.
 */
final class LegacyClientProcess
{
    /** Well above a run's worst case (the driver bounds each wait to 60 s) and below Surefire's patience. */
    static final Duration TIMEOUT = Duration.ofSeconds(150);
    private static final String DRIVER = LegacyJavaClientDriver.class.getSimpleName();

    private final String version;
    private final Path workDir;
    private final String classPath;
    private int runs;

    LegacyClientProcess(final String version, final Path workDir) throws IOException
    {
        this.version = version;
        this.workDir = workDir;
        this.classPath = classPath(version, workDir);
    }

    String version()
    {
        return version;
    }

    DriverOutput run(final String... args) throws IOException, InterruptedException
    {
        final int run = ++runs;
        final Path stdout = workDir.resolve("run-" + run + ".out");
        final Path stderr = workDir.resolve("run-" + run + ".err");
        final List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse(
            Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.add("-Xmx256m");
        command.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        command.add("-cp");
        command.add(classPath);
        command.add(LegacyJavaClientDriver.class.getName());
        command.addAll(List.of(args));
        // Files, not pipes: a chatty child can never block on a full pipe while we wait for it.
        final Process process = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
        {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
            throw new IllegalStateException("kafka-clients " + version + " driver " + List.of(args) + " ran over " + TIMEOUT +
                " and was killed; stderr:\n" + tail(stderr));
        }
        return DriverOutput.parse(process.exitValue(), Files.readAllLines(stdout, StandardCharsets.UTF_8), tail(stderr));
    }

    private static String classPath(final String version, final Path workDir) throws IOException
    {
        final Path testClasses = testClasses();
        final Path jars = testClasses.getParent().resolve("old-clients").resolve(version);
        if (!Files.isDirectory(jars))
        {
            throw new IllegalStateException(jars + " is missing: the build's copy-old-java-clients execution " +
                "(generate-test-resources) fills it");
        }
        final String packagePath = LegacyJavaClientDriver.class.getPackageName().replace('.', '/');
        final Path driverDir = workDir.resolve("driver-classes");
        final Path target = Files.createDirectories(driverDir.resolve(packagePath));
        try (DirectoryStream<Path> classes = Files.newDirectoryStream(testClasses.resolve(packagePath), DRIVER + "*.class"))
        {
            for (final Path file : classes)
            {
                Files.copy(file, target.resolve(file.getFileName().toString()));
            }
        }
        return jars + "/*" + File.pathSeparator + driverDir;
    }

    private static Path testClasses()
    {
        try
        {
            return Path.of(LegacyJavaClientDriver.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        }
        catch (final URISyntaxException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static String tail(final Path file) throws IOException
    {
        final List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 80), lines.size()));
    }
}
