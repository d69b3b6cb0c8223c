package io.runnel.bench.sidebyside;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

import io.runnel.bench.omb.OmbResult;

/**
 * What one scenario measured on one system: the load runner's OMB result, and the brokers' own
 * resource use over the whole run (warm-up included) read from /proc and the data folder, one entry
 * per broker process (one, or a cluster's nodes) and summed over them.
 */
record RunRecord(SystemUnderTest system, Scenario scenario, OmbResult result, List<ProcStats.CpuTime> brokerCpuPerNode,
    List<Long> peakRssBytesPerNode, long bytesOnDisk)
{
    /** The broker processes' CPU time added up. */
    ProcStats.CpuTime brokerCpu()
    {
        double user = 0;
        double system = 0;
        for (final ProcStats.CpuTime cpu : brokerCpuPerNode)
        {
            user += cpu.userSeconds();
            system += cpu.systemSeconds();
        }
        return new ProcStats.CpuTime(user, system);
    }

    double brokerCpuSeconds()
    {
        return brokerCpu().totalSeconds();
    }

    /** The share of the broker's CPU spent in the kernel (system calls: socket and file I/O, polling). */
    double kernelShare()
    {
        return brokerCpuSeconds() == 0 ? Double.NaN : brokerCpu().systemSeconds() / brokerCpuSeconds();
    }

    /**
     * Broker CPU seconds (every broker process's) per GiB of payload produced plus consumed by the
     * clients; what replication moves between brokers is not counted in the GiB, only in the CPU.
     */
    double cpuSecondsPerGib()
    {
        final double gib = (result.totalBytesSent() + result.totalBytesReceived()) / (1024.0 * 1024 * 1024);
        return gib == 0 ? Double.NaN : brokerCpuSeconds() / gib;
    }

    /** The broker processes' peak resident sets added up (each process's own peak; they need not fall together). */
    long peakRssBytes()
    {
        return peakRssBytesPerNode.stream().mapToLong(Long::longValue).sum();
    }

    int brokers()
    {
        return brokerCpuPerNode.size();
    }

    String toJson()
    {
        return String.format(Locale.ROOT, """
            {
              "system": "%s",
              "broker": "%s",
              "scenario": "%s",
              "brokers": %d,
              "brokerCpuSeconds": %.2f,
              "brokerUserCpuSeconds": %.2f,
              "brokerSystemCpuSeconds": %.2f,
              "brokerCpuSecondsPerGiB": %.3f,
              "brokerCpuSecondsPerNode": [%s],
              "peakRssBytes": %d,
              "peakRssBytesPerNode": [%s],
              "bytesOnDisk": %d,
              "payloadBytesProduced": %d,
              "payloadBytesConsumed": %d
            }
            """, system.label(), system.describe().replace("\"", "'"), scenario.name(), brokers(), brokerCpuSeconds(), brokerCpu().userSeconds(),
            brokerCpu().systemSeconds(), cpuSecondsPerGib(),
            brokerCpuPerNode.stream().map(cpu -> String.format(Locale.ROOT, "%.2f", cpu.totalSeconds())).collect(Collectors.joining(", ")),
            peakRssBytes(), peakRssBytesPerNode.stream().map(String::valueOf).collect(Collectors.joining(", ")),
            bytesOnDisk, result.totalBytesSent(), result.totalBytesReceived());
    }
}
