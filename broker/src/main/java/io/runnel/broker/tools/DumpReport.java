package io.runnel.broker.tools;

import java.io.PrintWriter;

/**
 * Where a dump writes: its lines, and the problems it finds (a corrupt or torn batch, an index entry
 * that does not match the log), which are printed in place and counted so the command can exit 1.
 */
final class DumpReport
{
    private final PrintWriter out;
    private int problems;

    DumpReport(final PrintWriter out)
    {
        this.out = out;
    }

    void line(final String text)
    {
        out.println(text);
    }

    /** A problem of the file being dumped: printed as {@code <kind>: <what>} and counted. */
    void problem(final String kind, final String text)
    {
        problems++;
        out.println(kind + ": " + text);
    }

    int problems()
    {
        return problems;
    }

    void flush()
    {
        out.flush();
    }
}
