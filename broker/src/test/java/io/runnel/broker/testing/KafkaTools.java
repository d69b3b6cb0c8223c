package io.runnel.broker.testing;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;

import org.apache.kafka.common.utils.internals.Exit;

/**
 * Runs one of Kafka's own command-line tools (kafka-tools' {@code main} classes: DeleteRecordsCommand,
 * LogDirsCommand, ConfigCommand, TopicCommand, DumpLogSegments...) in this JVM against Runnel, as a
 * user would run {@code bin/kafka-*.sh}. Its standard output and error are captured; a call of
 * Kafka's {@code Exit} (what the tools do on a usage error or a failure) becomes an AssertionError
 * with everything the tool printed, instead of ending the test's JVM.
 */
public final class KafkaTools
{
    /** What the tool printed. */
    public record Output(String stdout, String stderr)
    {
    }

    /** Thrown from Kafka's Exit with status 0: the tool finished (several end with Exit.exit(0)). */
    private static final class ExitedNormally extends RuntimeException
    {
        ExitedNormally()
        {
            super(null, null, false, false);
        }
    }

    private KafkaTools()
    {
    }

    /**
     * @param mainClass the tool's class, e.g. {@code org.apache.kafka.tools.DeleteRecordsCommand}
     * @param args      its command line, as after {@code bin/kafka-delete-records.sh}
     * @throws AssertionError if the tool throws or exits
     */
    public static Output run(final String mainClass, final String... args) throws Exception
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final PrintStream originalOut = System.out;
        final PrintStream originalErr = System.err;
        final String commandLine = mainClass.substring(mainClass.lastIndexOf('.') + 1) + " " + String.join(" ", args);
        Exit.setExitProcedure((status, message) ->
        {
            if (status == 0)
            {
                throw new ExitedNormally();
            }
            throw new AssertionError(commandLine + " exited with " + status + ": " + message);
        });
        try
        {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            Class.forName(mainClass).getMethod("main", String[].class).invoke(null, (Object)args);
        }
        catch (final InvocationTargetException ex)
        {
            if (ex.getCause() instanceof ExitedNormally)
            {
                return finish(commandLine, out, err, originalOut);
            }
            throw new AssertionError(commandLine + " failed: " + ex.getCause() + "\nstdout:\n" + out.toString(StandardCharsets.UTF_8)
                + "\nstderr:\n" + err.toString(StandardCharsets.UTF_8), ex.getCause());
        }
        finally
        {
            System.setOut(originalOut);
            System.setErr(originalErr);
            Exit.resetExitProcedure();
        }
        return finish(commandLine, out, err, originalOut);
    }

    private static Output finish(final String commandLine, final ByteArrayOutputStream out, final ByteArrayOutputStream err,
        final PrintStream console)
    {
        final Output output = new Output(out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        console.println(commandLine + "\n" + output.stdout() + output.stderr());
        return output;
    }
}
