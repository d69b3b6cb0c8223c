package io.runnel.bench.jmh;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.runnel.coordinator.group.GroupConfig;
import io.runnel.coordinator.group.GroupCoordinator;
import io.runnel.io.DescribedConfigs;
import io.runnel.io.IoConfig;
import io.runnel.io.router.ApiRouter;
import io.runnel.io.api.ApiShard;
import io.runnel.io.api.ParkedOperations;
import io.runnel.io.api.BrokerServices;
import io.runnel.io.net.Connection;
import io.runnel.io.net.FramePool;
import io.runnel.io.net.Reactor;
import io.runnel.kernel.LogManager;
import io.runnel.kernel.log.LogConfig;
import io.runnel.kernel.log.PartitionLog;
import io.runnel.kernel.producer.ProducerIdAllocator;
import io.runnel.kernel.shard.Shard;
import io.runnel.kernel.threading.ShardThreads;
import io.runnel.kernel.topic.Partition;
import io.runnel.kernel.topic.Topic;
import org.agrona.CloseHelper;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.ResponseHeader;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One produce request from a complete frame to its response on the wire, through the real code:
 * ApiRouter (request header), ProduceHandler (in-place decode, topic lookup, batch validation with
 * CRC32C), ProduceOperation (dispatch to the owning shard, the append with offset patching and
 * index updates, the gather), the ProduceResponseEncoder, and the connection writing the response
 * to its socket. This is the number behind the target "steady-state allocation on the produce path
 * below 64 bytes per request": read {@code gc.alloc.rate.norm} with {@code -prof gc}.
 *
 * <p>The request is Produce as kafka-clients serialises it (client id {@code producer-1},
 * acks=1, one topic, one partition, one uncompressed non-idempotent batch of 10 x 100-byte
 * records: an acks=1 Java producer has idempotence off), at {@code version}: 11 (flexible, the
 * Java producer's) by default, or one of 3-8 (the classic encoding librdkafka, kafka-python and
 * KafkaJS use), with its own response layout. One broker shard, no shard threads: the
 * benchmark thread plays the shard, and since the partition is on the connection's own shard the
 * whole request runs inside {@code ApiRouter.dispatch}. Only the socket read is left out: each
 * request's bytes are copied into a pooled frame as Connection does with bytes it has read. The
 * connection is a real one over loopback (Connection needs a socket and a selection key); the
 * benchmark reads the responses off the client end every {@value #DRAIN_EVERY} requests, so the
 * time includes one socket write per request and a share of a client read.
 *
 * <p>Single-shot with a fixed number of requests, as in LogAppendBenchmark and for the same
 * reason: at page-cache speed a timed iteration would write as much as the machine allows. Each
 * shot sends {@value #REQUESTS_PER_SHOT} requests (~80 MiB of log) into a fresh log that is deleted
 * after the shot, outside the measurement; the score is per request ({@code @OperationsPerInvocation}).
 * Segments are 256 MiB, so no shot rolls.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, batchSize = 1)
@Measurement(iterations = 5, batchSize = 1)
@Fork(value = 1, jvmArgsAppend = {JvmArgs.EXPORT_MISC, JvmArgs.OPEN_ZIP, JvmArgs.XMS, JvmArgs.XMX})
public class ProduceRequestToAppendBenchmark
{
    static final String TOPIC = "bench-topic";
    static final String CLIENT_ID = "producer-1";
    static final int CORRELATION_ID = 7;
    static final int RECORDS_PER_BATCH = 10;
    static final int VALUE_BYTES = 100;
    static final int REQUESTS_PER_SHOT = 65536;
    static final int WARMUP_ROUNDS = 4;
    static final int SEGMENT_BYTES = 256 * 1024 * 1024;
    static final int MAX_REQUEST_BYTES = 100 * 1024 * 1024;
    /** A power of two; 64 responses (~4 KiB) sit in the socket buffers between drains. */
    static final int DRAIN_EVERY = 64;
    /** Bounds on the client reads that collect responses; each read takes up to 64 KiB. */
    static final int MAX_READS_PER_DRAIN = 16;
    static final int MAX_SETTLE_ROUNDS = 5_000;

    /** The Produce version of the request and its response. */
    @Param({"11"})
    public short version;

    private final ByteBuffer drain = ByteBuffer.allocateDirect(64 * 1024);
    private Path dir;
    private LogManager logManager;
    private Shard shard;
    private Reactor reactor;
    private FramePool framePool;
    private ApiRouter router;
    private ParkedOperations parked;
    private Partition partition;
    private ServerSocketChannel server;
    private SocketChannel client;
    private Connection connection;
    private UnsafeBuffer request;
    private int requestLength;
    private int responseLength;
    private long responseBytes;

    @Setup(Level.Trial)
    public void setupTrial() throws IOException
    {
        dir = Files.createTempDirectory("runnel-jmh-produce-");
        try
        {
            startBroker();
            // From here the benchmark thread is shard 0's thread, as its agent runner's would be: commands
            // for shard 0 run at once instead of waiting in its inbox.
            shard.onStart();
            connect();
            buildRequest();
            checkOneRequest();
            // A shot calls the benchmark method once, so JMH's warmup shots alone give C2 few entries
            // into the loop; warm the path here too (same code, scratch logs, deleted after each round).
            for (int round = 0; round < WARMUP_ROUNDS; round++)
            {
                freshLog();
                shot();
                checkShot();
            }
        }
        catch (final IOException | RuntimeException | Error ex)
        {
            // JMH skips @TearDown when @Setup fails: do not leave the broker or its log behind.
            tearDown();
            throw ex;
        }
    }

    /** The pieces RunnelBroker assembles, for one shard and without its threads or acceptor. */
    private void startBroker()
    {
        final Path logDir = dir.resolve("log");
        logManager = new LogManager(logDir, 1, LogConfig.defaults().withSegmentBytes(SEGMENT_BYTES), SystemEpochClock.INSTANCE);
        logManager.open();
        shard = logManager.shard(0);
        final IoConfig config = new IoConfig(0, "localhost", 9092, "bench-cluster", false, 1, MAX_REQUEST_BYTES, false, DescribedConfigs.EMPTY);
        final GroupCoordinator[] coordinators = {new GroupCoordinator(shard, logManager, GroupConfig.defaults())};
        final BrokerServices services = new BrokerServices(logManager, config, new ProducerIdAllocator(logDir), coordinators);
        reactor = new Reactor(shard, MAX_REQUEST_BYTES);
        parked = new ParkedOperations(shard.clock().time());
        router = new ApiRouter(new ApiShard(shard, reactor, parked, logManager.conductorFor(0)), services);
        reactor.connectionSetup(c -> router);
        shard.addDuty(reactor);
        shard.addDuty(parked);
        framePool = reactor.framePool();
        // Shards are not running, so the new log is adopted by shard 0 at once.
        final Topic topic = logManager.createTopic(TOPIC, 1, Map.of());
        partition = topic.partition(0);
        if (partition.shard() != 0 || partition.log() == null)
        {
            throw new IllegalStateException("partition not adopted by shard 0");
        }
    }

    /** A loopback connection adopted by the reactor as the acceptor would hand it over. */
    private void connect() throws IOException
    {
        server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        client = SocketChannel.open(server.getLocalAddress());
        final SocketChannel accepted = server.accept();
        accepted.configureBlocking(false);
        client.configureBlocking(false);
        if (!reactor.adopt(accepted))
        {
            CloseHelper.quietClose(accepted);
            throw new IllegalStateException("shard inbox refused the connection");
        }
        // The adoption is a command in the shard's inbox: one duty cycle registers the connection.
        SelectionKey key = null;
        for (int i = 0; i < MAX_SETTLE_ROUNDS && key == null; i++)
        {
            shard.doWork();
            key = accepted.keyFor(reactor.selector());
        }
        if (key == null || !(key.attachment() instanceof Connection))
        {
            throw new IllegalStateException("reactor did not register the connection");
        }
        connection = (Connection)key.attachment();
    }

    private void buildRequest()
    {
        final MemoryRecords records = MemoryRecords.readableRecords(KafkaBatches.batch(RECORDS_PER_BATCH, VALUE_BYTES));
        final ProduceRequestData.TopicProduceDataCollection topics = new ProduceRequestData.TopicProduceDataCollection();
        topics.add(new ProduceRequestData.TopicProduceData()
            .setName(TOPIC)
            .setPartitionData(List.of(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(records))));
        final ProduceRequestData data = new ProduceRequestData()
            .setTransactionalId(null)
            .setAcks((short)1)
            .setTimeoutMs(30_000)
            .setTopicData(topics);
        final ProduceRequest produce = new ProduceRequest.Builder(version, version, data).build(version);
        // Header and body, without the 4-byte size prefix: the frame Connection hands to the router.
        final ByteBuffer bytes = produce.serializeWithHeader(new RequestHeader(ApiKeys.PRODUCE, version, CLIENT_ID, CORRELATION_ID));
        requestLength = bytes.remaining();
        request = new UnsafeBuffer(KafkaBatches.direct(bytes));
    }

    /** One request through, its response read back whole and checked with kafka-clients' parser. */
    private void checkOneRequest() throws IOException
    {
        sendRequest();
        drain.clear();
        for (int i = 0; i < MAX_SETTLE_ROUNDS && !holdsWholeFrame(drain); i++)
        {
            if (client.read(drain) <= 0)
            {
                sleepAMillisecond();
            }
        }
        drain.flip();
        if (drain.remaining() < 4 || drain.remaining() != 4 + drain.getInt(0))
        {
            throw new IllegalStateException("expected one whole response frame, read " + drain.remaining() + " bytes");
        }
        responseLength = drain.remaining();
        final ByteBuffer frame = drain.duplicate().position(4);
        final ResponseHeader header = ResponseHeader.parse(frame, ApiKeys.PRODUCE.responseHeaderVersion(version));
        final ProduceResponseData response = ProduceResponse.parse(new ByteBufferAccessor(frame), version).data();
        final ProduceResponseData.PartitionProduceResponse partitionResponse =
            response.responses().find(TOPIC, Uuid.ZERO_UUID).partitionResponses().get(0);
        if (header.correlationId() != CORRELATION_ID || partitionResponse.errorCode() != Errors.NONE.code()
            || partitionResponse.baseOffset() != 0)
        {
            throw new IllegalStateException("unexpected produce response " + response);
        }
    }

    private static boolean holdsWholeFrame(final ByteBuffer bytes)
    {
        return bytes.position() >= 4 && bytes.position() >= 4 + bytes.getInt(0);
    }

    @Setup(Level.Iteration)
    public void freshLog()
    {
        // Conductor work, done here between iterations: swap the partition's log for an empty one. The
        // benchmark thread steps out of its shard role for it, since shards refuse file work.
        ShardThreads.leave();
        final PartitionLog old = partition.log();
        old.closeAndDelete();
        partition.adopt(PartitionLog.open(partition.name(), old.dir(), old.config(), SystemEpochClock.INSTANCE, partition.state(), true));
        ShardThreads.enter(shard.id());
        responseBytes = 0;
    }

    @Benchmark
    @OperationsPerInvocation(REQUESTS_PER_SHOT)
    public void produce() throws IOException
    {
        shot();
    }

    private void shot() throws IOException
    {
        for (int i = 0; i < REQUESTS_PER_SHOT; i++)
        {
            sendRequest();
            if ((i & (DRAIN_EVERY - 1)) == DRAIN_EVERY - 1)
            {
                drainResponses();
            }
        }
    }

    /** What Connection does with a complete frame: a pooled buffer, the bytes copied in, the router. */
    private void sendRequest()
    {
        final UnsafeBuffer frame = framePool.acquire(requestLength);
        frame.putBytes(0, request, 0, requestLength);
        router.onFrame(connection, frame, requestLength);
    }

    /** The client's side: takes whatever responses have arrived. */
    private void drainResponses() throws IOException
    {
        for (int i = 0; i < MAX_READS_PER_DRAIN; i++)
        {
            drain.clear();
            final int read = client.read(drain);
            if (read < 0)
            {
                throw new IllegalStateException("broker closed the connection");
            }
            if (read == 0)
            {
                return;
            }
            responseBytes += read;
        }
    }

    @TearDown(Level.Iteration)
    public void checkShot() throws IOException
    {
        final long expected = (long)REQUESTS_PER_SHOT * responseLength;
        for (int i = 0; i < MAX_SETTLE_ROUNDS && responseBytes < expected && !connection.isClosed(); i++)
        {
            // A response the socket did not take at once waits for the reactor's next OP_WRITE.
            shard.doWork();
            drainResponses();
            if (responseBytes < expected)
            {
                sleepAMillisecond();
            }
        }
        final long endOffset = partition.log().logEndOffset();
        if (connection.isClosed() || responseBytes != expected || endOffset != (long)REQUESTS_PER_SHOT * RECORDS_PER_BATCH
            || shard.hasPendingCommands() || shard.hasBacklog() || parked.needsPolling())
        {
            throw new IllegalStateException("shot did not complete: " + responseBytes + " of " + expected
                + " response bytes, log end offset " + endOffset + ", connection closed " + connection.isClosed());
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException
    {
        try
        {
            if (logManager != null)
            {
                // With no shard threads, close runs each shard's onClose here: the reactor closes its
                // connections and selector, the logs are closed.
                logManager.close();
                logManager = null;
            }
        }
        finally
        {
            CloseHelper.quietCloseAll(client, server);
            client = null;
            server = null;
            LogAppendBenchmark.deleteRecursively(dir);
        }
    }

    private static void sleepAMillisecond()
    {
        try
        {
            Thread.sleep(1);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", ex);
        }
    }
}
