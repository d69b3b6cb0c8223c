package io.runnel.bench.sidebyside;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A process's resource use as Linux reports it in /proc: CPU seconds (user and system, the process
 * and all its threads) and peak resident set size (VmHWM). Read from outside the process, so the
 * same numbers are taken for Apache Kafka and Runnel.
 */
final class ProcStats
{
    /** USER_HZ; 100 on every Linux the harness is meant for (getconf CLK_TCK). */
    private static final double CLOCK_TICKS_PER_SECOND = 100.0;

    private ProcStats()
    {
    }

    /** CPU time a process has used so far, split as the kernel accounts it. */
    record CpuTime(double userSeconds, double systemSeconds)
    {
        double totalSeconds()
        {
            return userSeconds + systemSeconds;
        }

        CpuTime minus(final CpuTime earlier)
        {
            return new CpuTime(userSeconds - earlier.userSeconds, systemSeconds - earlier.systemSeconds);
        }
    }

    static CpuTime cpuTime(final long pid)
    {
        final String stat = read(Path.of("/proc", Long.toString(pid), "stat"));
        // The command name (field 2) is in parentheses and may hold spaces; count fields after it.
        final String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
        // Fields 14 (utime) and 15 (stime) overall are 12 and 13 after the name: state is field 3.
        return new CpuTime(Long.parseLong(fields[11]) / CLOCK_TICKS_PER_SECOND, Long.parseLong(fields[12]) / CLOCK_TICKS_PER_SECOND);
    }

    static long peakRssBytes(final long pid)
    {
        for (final String line : read(Path.of("/proc", Long.toString(pid), "status")).split("\n"))
        {
            if (line.startsWith("VmHWM:"))
            {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return -1;
    }

    /** Bytes the directory occupies on disk: allocated blocks as {@code du} counts them, so unwritten preallocated index space is not counted. */
    static long bytesOnDisk(final Path directory)
    {
        try
        {
            final Process du = new ProcessBuilder("du", "-s", "--block-size=1", directory.toString()).redirectErrorStream(true).start();
            final String out = new String(du.getInputStream().readAllBytes()).trim();
            return du.waitFor() == 0 ? Long.parseLong(out.split("\\s+")[0]) : -1;
        }
        catch (final IOException | NumberFormatException ex)
        {
            return -1;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static String read(final Path file)
    {
        try
        {
            return Files.readString(file);
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot read " + file + " (is the broker still running?)", ex);
        }
    }
}
