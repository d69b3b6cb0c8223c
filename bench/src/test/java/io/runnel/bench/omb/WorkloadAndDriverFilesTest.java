package io.runnel.bench.omb;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import io.runnel.bench.ToolRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every shipped workload and driver file parses; a file with a typo is refused by name. */
class WorkloadAndDriverFilesTest
{
    private static final Path ROOT = ToolRun.repoRoot();

    @TempDir
    Path dir;

    static Stream<Path> shippedWorkloads() throws IOException
    {
        return yamlFiles(ROOT.resolve("bench/workloads"));
    }

    static Stream<Path> shippedDrivers() throws IOException
    {
        return yamlFiles(ROOT.resolve("omb-driver"));
    }

    private static Stream<Path> yamlFiles(final Path folder) throws IOException
    {
        try (Stream<Path> files = Files.list(folder))
        {
            // Materialised so the folder is closed before the tests run.
            return files.filter(p -> p.getFileName().toString().endsWith(".yaml")).sorted().toList().stream();
        }
    }

    @ParameterizedTest
    @MethodSource("shippedWorkloads")
    void shippedWorkloadParses(final Path file)
    {
        final Workload workload = Workload.read(file);
        assertTrue(workload.topics() >= 1 && workload.partitionsPerTopic() >= 1 && workload.messageSize() >= 1, workload.toString());
        assertTrue(workload.testDurationMinutes() > 0, workload.toString());
    }

    @ParameterizedTest
    @MethodSource("shippedDrivers")
    void shippedDriverParses(final Path file)
    {
        final Driver driver = Driver.read(file);
        assertTrue(driver.replicationFactor() >= 1, driver.toString());
        // OmbBench runs a driver file as it is when no --bootstrap is given.
        assertNotNull(driver.commonConfig().getProperty("bootstrap.servers"), file.toString());
        assertNotNull(driver.producerConfig().getProperty("acks"), file.toString());
    }

    @Test
    void refusesAWorkloadFieldThatIsNotANumber() throws IOException
    {
        final Path file = dir.resolve("w.yaml");
        Files.writeString(file, "name: w\nproducerRate: fast\n");
        final BenchConfigException ex = assertThrows(BenchConfigException.class, () -> Workload.read(file));
        assertEquals(file + ": field 'producerRate' must be a number, was 'fast'", ex.getMessage());
    }

    @Test
    void refusesAFileThatIsNotAMappingOrNotYaml() throws IOException
    {
        final Path list = dir.resolve("list.yaml");
        Files.writeString(list, "- name: w\n");
        assertEquals(list + " must be a YAML mapping of fields", assertThrows(BenchConfigException.class, () -> Workload.read(list)).getMessage());
        final Path broken = dir.resolve("broken.yaml");
        Files.writeString(broken, "name: [w\n");
        final String message = assertThrows(BenchConfigException.class, () -> Driver.read(broken)).getMessage();
        assertTrue(message.startsWith(broken + " is not valid YAML: ") && message.lines().count() == 1, message);
    }

    @Test
    void unknownFieldMessageListsTheKnownOnes() throws IOException
    {
        final Path file = dir.resolve("w.yaml");
        Files.writeString(file, "name: w\npartitions: 6\n");
        final String message = assertThrows(BenchConfigException.class, () -> Workload.read(file)).getMessage();
        assertTrue(message.startsWith(file + ": unknown field 'partitions' (known: "), message);
        assertTrue(message.contains("partitionsPerTopic"), message);
    }
}
