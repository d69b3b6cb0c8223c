package io.runnel.broker.testing;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.apache.kafka.common.utils.internals.Exit;

/**
 * One of Kafka's command-line tools ({@code kafka-configs}, {@code kafka-topics}...) run in this JVM
 * through its main class, as a user runs it from a shell: its standard output and error captured,
 * and its call to Kafka's {@code Exit} (which would end the JVM) turned into an exit status.
 */
public final class KafkaTool
{
    /** A tool's entry point: its {@code main}. */
    @FunctionalInterface
    public interface Main
    {
        void run(String[] args) throws Exception;
    }

    /**
     * What a run printed and how it ended.
     *
     * @param status 0 if main returned or exited with 0
     */
    public record Run(int status, String out, String err)
    {
    }

    /** Thrown out of the tool by the exit procedure, so that its main unwinds instead of ending the JVM. */
    private static final class Exited extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        Exited(final int status)
        {
            super("exit(" + status + ")", null, false, false);
        }
    }

    private KafkaTool()
    {
    }

    /** Runs {@code main} with {@code args}; one tool at a time (System.out, System.err and Exit are global). */
    public static synchronized Run run(final String name, final Main main, final String... args) throws Exception
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final PrintStream originalOut = System.out;
        final PrintStream originalErr = System.err;
        // The first exit is the tool's answer: a tool that catches what the exit threw may exit again with another status.
        final int[] firstExit = {-1};
        Exit.setExitProcedure((code, message) ->
        {
            if (firstExit[0] < 0)
            {
                firstExit[0] = code;
            }
            throw new Exited(code);
        });
        try
        {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            main.run(args);
        }
        catch (final Exited exited)
        {
            // Reported below as the first exit's status.
        }
        finally
        {
            System.setOut(originalOut);
            System.setErr(originalErr);
            Exit.resetExitProcedure();
        }
        final Run run = new Run(Math.max(firstExit[0], 0), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        originalOut.println(name + " " + String.join(" ", args) + " -> " + run.status() + "\n" + run.out() + run.err());
        return run;
    }
}
