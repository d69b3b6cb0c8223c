package io.runnel.broker.tools;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code bin/runnel dump-log FILE...}: Runnel's reader of its own partition files, the counterpart of
 * Kafka's kafka-dump-log. A {@code .log} prints a line per batch (offsets, position, size, CRC and
 * whether it checks, codec, timestamps, producer id/epoch/sequence, transactional and control
 * flags); {@code .index} and {@code .timeindex} print their entries; {@code .snapshot} prints the
 * producers it holds. A directory stands for every such file in it.
 */
@Command(name = "bin/runnel dump-log", sortOptions = false, usageHelpAutoWidth = true,
    description = "Prints the batches of Runnel partition files (.log), the entries of their indexes " +
        "(.index, .timeindex) and producer-state snapshots (.snapshot).",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:every file was read and, with --verify-index, every index matches its log",
        "1:a file is corrupt or torn, or an index entry does not match its log",
        "2:bad usage: an unknown option, a missing file, a file of another kind"},
    footerHeading = "%n",
    footer = "Kafka's kafka-dump-log reads the same log and index files; producer snapshots are in Runnel's own format.")
public final class DumpLogCommand implements Callable<Integer>
{
    /** Exit status when a file is corrupt or an index does not match its log. */
    public static final int PROBLEMS_FOUND = 1;

    @Spec
    private CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILE",
        description = "Segment files (<base offset>.log, .index, .timeindex), producer snapshots (.snapshot) " +
            "or partition directories (every such file in it, in name order).")
    private List<Path> files;

    @Option(names = "--print-data", description = "Print every record of every batch: offset, timestamp, key, value, " +
        "headers (compressed batches are decompressed; text as UTF-8, other bytes as hex).")
    private boolean printData;

    @Option(names = "--verify-index", description = "Check every .index and .timeindex entry against the segment's " +
        ".log: it names the last offset of a batch that starts at its position (offset index) or that reached its " +
        "max timestamp (time index), and entries grow. Mismatches are printed and give exit status 1.")
    private boolean verifyIndex;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    private boolean help;

    private DumpLogCommand()
    {
    }

    public static void main(final String[] args)
    {
        final PrintWriter out = new PrintWriter(System.out, false, StandardCharsets.UTF_8);
        final PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        System.exit(run(args, out, err));
    }

    /** Runs the command as {@code main} does, writing to the given streams; returns the exit status. */
    public static int run(final String[] args, final PrintWriter out, final PrintWriter err)
    {
        final CommandLine commandLine = new CommandLine(new DumpLogCommand());
        commandLine.setOut(out);
        commandLine.setErr(err);
        final int status = commandLine.execute(args);
        out.flush();
        err.flush();
        return status;
    }

    @Override
    public Integer call()
    {
        final List<Path> toDump = expand(files);
        final DumpReport report = new DumpReport(spec.commandLine().getOut());
        for (final Path file : toDump)
        {
            report.line("Dumping " + file);
            try
            {
                dump(file, report);
            }
            catch (final IOException ex)
            {
                report.problem("unreadable", file + ": " + ex.getMessage());
            }
        }
        report.flush();
        if (report.problems() > 0)
        {
            spec.commandLine().getErr().println("dump-log: " + report.problems() + " problem(s) found");
            return PROBLEMS_FOUND;
        }
        return CommandLine.ExitCode.OK;
    }

    private void dump(final Path file, final DumpReport report) throws IOException
    {
        switch (SegmentFiles.of(file))
        {
            case LOG -> LogFileDump.dump(file, printData, report);
            case OFFSET_INDEX -> OffsetIndexDump.dump(file, verifyIndex, report);
            case TIME_INDEX -> TimeIndexDump.dump(file, verifyIndex, report);
            case PRODUCER_SNAPSHOT -> SnapshotDump.dump(file, report);
        }
    }

    /** Files as given, directories replaced by the files of a known kind in them; anything else is bad usage. */
    private List<Path> expand(final List<Path> arguments)
    {
        final List<Path> result = new ArrayList<>();
        for (final Path argument : arguments)
        {
            if (Files.isDirectory(argument))
            {
                try (Stream<Path> children = Files.list(argument))
                {
                    children.filter(child -> Files.isRegularFile(child) && SegmentFiles.of(child) != null)
                        .sorted().forEach(result::add);
                }
                catch (final IOException ex)
                {
                    throw new ParameterException(spec.commandLine(), "cannot list " + argument + ": " + ex.getMessage());
                }
            }
            else if (!Files.isRegularFile(argument))
            {
                throw new ParameterException(spec.commandLine(), "no such file: " + argument);
            }
            else if (SegmentFiles.of(argument) == null)
            {
                throw new ParameterException(spec.commandLine(), "not a file dump-log reads (.log, .index, " +
                    ".timeindex, .snapshot): " + argument);
            }
            else
            {
                result.add(argument);
            }
        }
        return result;
    }
}
