package io.runnel.bench.sidebyside;

import java.util.Locale;

import io.runnel.bench.omb.OmbResult;

/**
 * What one scenario measured on one system: the load runner's OMB result, and the broker's own
 * resource use over the whole run (warm-up included) read from /proc and the data folder.
 */
record RunRecord(SystemUnderTest system, Scenario scenario, OmbResult result, ProcStats.CpuTime brokerCpu, long peakRssBytes, long bytesOnDisk)
{
    double brokerCpuSeconds()
    {
        return brokerCpu.totalSeconds();
    }

    /** The share of the broker's CPU spent in the kernel (system calls: socket and file I/O, polling). */
    double kernelShare()
    {
        return brokerCpuSeconds() == 0 ? Double.NaN : brokerCpu.systemSeconds() / brokerCpuSeconds();
    }

    /** Broker CPU seconds per GiB of payload produced plus consumed. */
    double cpuSecondsPerGib()
    {
        final double gib = (result.totalBytesSent() + result.totalBytesReceived()) / (1024.0 * 1024 * 1024);
        return gib == 0 ? Double.NaN : brokerCpuSeconds() / gib;
    }

    String toJson()
    {
        return String.format(Locale.ROOT, """
            {
              "system": "%s",
              "broker": "%s",
              "scenario": "%s",
              "brokerCpuSeconds": %.2f,
              "brokerUserCpuSeconds": %.2f,
              "brokerSystemCpuSeconds": %.2f,
              "brokerCpuSecondsPerGiB": %.3f,
              "peakRssBytes": %d,
              "bytesOnDisk": %d,
              "payloadBytesProduced": %d,
              "payloadBytesConsumed": %d
            }
            """, system.label(), system.describe().replace("\"", "'"), scenario.name(), brokerCpuSeconds(), brokerCpu.userSeconds(),
            brokerCpu.systemSeconds(), cpuSecondsPerGib(),
            peakRssBytes, bytesOnDisk, result.totalBytesSent(), result.totalBytesReceived());
    }
}
