package io.runnel.bench.jmh;

import java.util.concurrent.TimeUnit;

import io.runnel.kernel.shard.Shard;
import io.runnel.kernel.shard.ShardCommand;
import io.runnel.kernel.shard.ShardCounters;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SystemEpochClock;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Control;

/**
 * A cross-shard round trip through the real shard inboxes, shaped like the io layer's scatter and
 * gather (ProduceOperation, FetchOperation): the origin shard offers a command to the owner's
 * inbox, the owner's duty cycle runs it and answers with a command through the origin's inbox, and
 * the origin's duty cycle runs that completion. One request is in flight at a time, so this is the
 * latency a single-partition produce or fetch to another shard pays, not the pipelined peak.
 *
 * <p>Each group thread counts one operation per round trip and each round trip is two handoffs
 * (request and completion), so the group's total is handoffs: the {@code roundTrip} score is
 * handoffs/s (ns per handoff = 1e9 / score), each thread's own score is round trips/s, and
 * {@code gc.alloc.rate.norm} is bytes per handoff ({@code -bm avgt -tu ns} gives ns per round trip).
 * Both threads spin in their duty cycles (yielding after a hundred idle ones, see
 * {@link #idleStrategy}), so the timing means something only with two free cores; the allocation
 * figure does not depend on that.
 *
 * <p>{@code command}: {@code reused} offers the same two command objects every time, which
 * measures the mechanism alone (Shard.offer, the inbox drain in Shard.doWork, Shard.whenDurable);
 * {@code capturing} creates the commands as the io layer does today, a capturing lambda for the
 * request and a bound method reference wrapped in another lambda for the reply (see
 * ProduceOperation.dispatch/append and Reactor.reply), so B/op shows what that pattern costs.
 */
@State(Scope.Group)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {JvmArgs.EXPORT_MISC, JvmArgs.OPEN_ZIP, JvmArgs.XMS, JvmArgs.XMX})
public class CrossShardHandoffBenchmark
{
    /** Slots a capturing request carries, like ProduceOperation's partition slot. */
    static final int SLOTS = 8;
    static final int PAD = 16;
    /** Origin thread: requests offered, completions run. Owner thread: requests run. */
    static final int SENT = PAD;
    static final int COMPLETED = PAD + 1;
    static final int SERVED = PAD;
    /** ReactorIdleStrategy's spin count before it starts yielding. */
    static final int IDLE_SPINS = 100;

    @Param({"reused", "capturing"})
    public String command;

    private Shard origin;
    private Shard owner;
    /** One per thread: the idle strategies keep per-thread counts. */
    private final IdleStrategy originIdle = idleStrategy();
    private final IdleStrategy ownerIdle = idleStrategy();
    private boolean capturing;
    private ShardCommand reusedRequest;
    private Runnable reusedAck;
    private ShardCommand reusedReply;
    /**
     * Per-thread counters, each thread's in its own array with {@value #PAD} longs either side, so
     * that neither thread's writes invalidate the cache line the other spins on.
     */
    private final long[] originCounts = new long[PAD + 2 + PAD];
    private final long[] ownerCounts = new long[PAD + 1 + PAD];
    /** Owner thread: keeps the slot a capturing request carries in use. */
    private final long[] slotHits = new long[SLOTS];

    @Setup
    public void setup()
    {
        // Shards are driven by the benchmark threads' own duty-cycle loops, not by AgentRunners.
        origin = new Shard(0, SystemEpochClock.INSTANCE, ShardCounters.standalone("origin"));
        owner = new Shard(1, SystemEpochClock.INSTANCE, ShardCounters.standalone("owner"));
        capturing = "capturing".equals(command);
        reusedRequest = new Command(this::serveReused);
        reusedAck = this::replyReused;
        reusedReply = new Command(this::completeReused);
    }

    /** Shard A: hands a request to shard B, then runs its own duty cycle until the completion has run. */
    @Benchmark
    @Group("roundTrip")
    @GroupThreads(1)
    public long origin(final Control control)
    {
        // A round trip cut short by the end of the last iteration is finished before a new one starts,
        // and none starts once JMH winds the iteration down (it keeps calling until every thread is done).
        final long[] counts = originCounts;
        if (counts[COMPLETED] == counts[SENT])
        {
            if (control.stopMeasurement)
            {
                return counts[COMPLETED];
            }
            send(++counts[SENT]);
        }
        // Bounded by the iteration: JMH raises stopMeasurement for every thread when it ends.
        while (counts[COMPLETED] < counts[SENT] && !control.stopMeasurement)
        {
            originIdle.idle(origin.doWork());
        }
        return counts[COMPLETED];
    }

    private void send(final long request)
    {
        if (capturing)
        {
            final int slot = (int)request & (SLOTS - 1);
            offer(owner, new Command(s -> serveCapturing(s, slot)));
        }
        else
        {
            offer(owner, reusedRequest);
        }
    }

    /** Shard B: runs its duty cycle until it has served one more request. */
    @Benchmark
    @Group("roundTrip")
    @GroupThreads(1)
    public long owner(final Control control)
    {
        final long[] counts = ownerCounts;
        final long target = counts[SERVED] + 1;
        while (counts[SERVED] < target && !control.stopMeasurement)
        {
            ownerIdle.idle(owner.doWork());
        }
        return counts[SERVED];
    }

    private void serveReused(final Shard here)
    {
        ownerCounts[SERVED]++;
        // The produce path acknowledges through whenDurable (at once under the page-cache policy).
        here.whenDurable(reusedAck);
    }

    private void replyReused()
    {
        offer(origin, reusedReply);
    }

    private void completeReused(final Shard here)
    {
        originCounts[COMPLETED]++;
    }

    /** As ProduceOperation.append: {@code owner.whenDurable(() -> here.reply(origin, this::partitionDone))}. */
    private void serveCapturing(final Shard here, final int slot)
    {
        ownerCounts[SERVED]++;
        slotHits[slot]++;
        here.whenDurable(() -> reply(this::completeCapturing));
    }

    /** A reply that allocates its command per request, as a capturing completion would. */
    private void reply(final Runnable completion)
    {
        offer(origin, new Command(s -> completion.run()));
    }

    /** A shard command around a body; the benchmark's commands do not fail. */
    private record Command(java.util.function.Consumer<Shard> body) implements ShardCommand
    {
        @Override
        public void execute(final Shard shard)
        {
            body.accept(shard);
        }

        @Override
        public void onFailure(final Shard shard, final Throwable cause)
        {
            throw new IllegalStateException("benchmark command failed", cause);
        }
    }

    private void completeCapturing()
    {
        originCounts[COMPLETED]++;
    }

    /**
     * Spin, then yield, never park: the first two phases of the broker's ReactorIdleStrategy (whose
     * third, blocking in the selector until an offer wakes it, belongs to the io layer). On an idle
     * machine a yield returns at once, so this is busy-spinning; on a shared one it lets the other
     * shard's thread in instead of spinning out a whole scheduler slice.
     */
    private static IdleStrategy idleStrategy()
    {
        return new BackoffIdleStrategy(IDLE_SPINS, Long.MAX_VALUE, 1, 1);
    }

    /** One request is in flight, so an inbox of 64 Ki commands is never full; failing beats spinning forever. */
    private static void offer(final Shard target, final ShardCommand command)
    {
        if (!target.offer(command))
        {
            throw new IllegalStateException("shard " + target.id() + " inbox full");
        }
    }
}
