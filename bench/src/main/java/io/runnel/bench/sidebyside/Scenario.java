package io.runnel.bench.sidebyside;

import java.nio.file.Path;

import io.runnel.bench.omb.Driver;
import io.runnel.bench.omb.Workload;

/** One OMB workload run with one OMB driver file (which sets acks, compression and batching). */
record Scenario(Path workloadFile, Workload workload, Path driverFile, Driver driver)
{
    static Scenario read(final Path workloadFile, final Path driverFile)
    {
        return new Scenario(workloadFile, Workload.read(workloadFile), driverFile, Driver.read(driverFile));
    }

    /** A file-name-safe name: the workload's name and the driver file's stem. */
    String name()
    {
        final String driverStem = driverFile.getFileName().toString().replaceFirst("\\.ya?ml$", "");
        return (workload.name() + "--" + driverStem).replaceAll("[^a-zA-Z0-9._-]", "_");
    }
}
