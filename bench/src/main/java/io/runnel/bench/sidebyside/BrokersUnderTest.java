package io.runnel.bench.sidebyside;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The broker process or processes one run measures: a single broker ({@link BrokerProcess}) or a
 * cluster's nodes ({@link ClusterBrokers}), each a child process whose CPU and memory the harness
 * reads from /proc and adds up, with every node's data under one folder.
 */
interface BrokersUnderTest extends AutoCloseable
{
    /** Starts every process and returns once clients can use them; refused in one line (BenchConfigException) when they do not start. */
    void start() throws IOException, InterruptedException;

    /** A client's bootstrap.servers. */
    String bootstrap();

    /** The process ids, one per broker. */
    List<Long> pids();

    /** The folder every broker's data is under. */
    Path dataDir();

    /** Every broker's output, one file per process. */
    List<Path> logs();

    /** Stops every process and removes the data folder. */
    @Override
    void close() throws IOException, InterruptedException;
}
