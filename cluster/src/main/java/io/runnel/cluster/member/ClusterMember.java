package io.runnel.cluster.member;

import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import io.aeron.driver.MediaDriver;
import io.runnel.cluster.metadata.MetadataCommand;
import io.runnel.cluster.metadata.MetadataCommands;
import io.runnel.cluster.metadata.MetadataImage;
import io.runnel.cluster.metadata.MetadataImageBuilder;
import io.runnel.cluster.metadata.MetadataReplies;
import io.runnel.cluster.metadata.MetadataReply;
import io.runnel.cluster.metadata.MetadataStateMachine;
import io.runnel.cluster.quorum.ClientMediaDriver;
import io.runnel.cluster.quorum.ControllerNode;
import io.runnel.cluster.quorum.QuorumClient;
import io.runnel.cluster.quorum.QuorumMembers;
import io.runnel.cluster.quorum.QuorumNodeConfig;
import io.runnel.kernel.conductor.ConductorProxy;
import io.runnel.kernel.conductor.QuorumTopics;
import io.runnel.kernel.conductor.TopicResult;
import io.runnel.kernel.conductor.TopicResultHandler;
import io.runnel.kernel.metadata.ClusterView;
import io.runnel.kernel.producer.ProducerIds;
import io.runnel.kernel.topic.Leadership;
import io.runnel.kernel.topic.Topic;
import io.runnel.kernel.topic.TopicRegistry;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.ManyToOneConcurrentLinkedQueue;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A broker's membership of a cluster: it runs this node's voter of the metadata quorum when it is
 * a controller, keeps a session with the quorum, registers and heartbeats, keeps the quorum's image,
 * and hands every committed topic change to the conductor, which applies it to the local logs
 * ({@code ApplyTopicMetadata}). Topic changes asked of this broker are forwarded to the quorum
 * ({@link #topics()}), and request handlers read the brokers and controller from {@link #view()}.
 *
 * <p>All quorum traffic runs on one thread of its own (the member agent); other threads hand it
 * work through a queue.
 */
public final class ClusterMember implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(ClusterMember.class);
    /** How long a subscription may go unanswered (nothing of its image received) before it is sent again. */
    private static final long IMAGE_RETRY_MS = 2_000;
    private static final int MAX_MESSAGE_LENGTH = QuorumNodeConfig.DEFAULT_INGRESS_TERM_LENGTH / 8;

    private final MemberSettings settings;
    private final ControllerNode controller;
    private final MediaDriver clientDriver;
    private final QuorumClient client;
    private final AgentRunner runner;
    private final QuorumClusterView view;
    /** The folder of this node's media driver: the quorum client's and the replication stream's. */
    private final String aeronDirectoryName;
    private final ManyToOneConcurrentLinkedQueue<Runnable> inbox = new ManyToOneConcurrentLinkedQueue<>();
    private final Uuid incarnationId = Uuid.randomUuid();
    private final CompletableFuture<MetadataImage> firstImage = new CompletableFuture<>();
    private final QuorumProducerIds producerIds = new QuorumProducerIds(this::askForProducerIds);

    // Member agent's thread only, from here on.
    private final MetadataCommands commands = new MetadataCommands();
    private final MetadataReplies replies = new MetadataReplies();
    /** Replaced at every subscription: a new one waits for the whole image the subscription brings. */
    private MetadataImageBuilder builder = new MetadataImageBuilder();
    /** When to ask again for a whole image if none has started arriving (a subscription can be lost in a leader change). */
    private long resubscribeAtMs = Long.MAX_VALUE;
    /** The newest whole image (the builder's, or the one before a resubscription). */
    private MetadataImage latest = MetadataImage.EMPTY;
    private final ExpandableArrayBuffer commandBuffer = new ExpandableArrayBuffer(1024);
    private final Map<Long, Pending> pending = new HashMap<>();
    /** Replies that came while the builder waited for a whole image, answered after it (in arrival order). */
    private final List<Runnable> answersAwaitingImage = new ArrayList<>();
    private long nextCorrelationId = 1;
    private MetadataCommand.RegisterBroker registration;
    private long brokerEpoch = -1;
    private long nextHeartbeatMs;
    /** When the quorum last answered this broker's registration or a heartbeat; -1 before it first did. */
    private long quorumAnsweredMs = -1;
    /** What the view says of {@link ClusterView#quorumContactLost()}. */
    private boolean quorumContactLost;
    /** When a re-registration that went unanswered (or met the old incarnation's live session) is sent again. */
    private long reregisterAtMs = Long.MAX_VALUE;
    private boolean ready;
    private boolean shuttingDown;
    private ConductorProxy conductor;
    /** The image the conductor has been given (changes are computed against it). */
    private MetadataImage applied;
    /** Partition health as of {@link #applied}: written on the member's thread, read by any. */
    private volatile PartitionHealth health = PartitionHealth.UNKNOWN;

    private record Pending(MetadataCommand command, Consumer<MetadataReply> onReply, long deadlineMs)
    {
    }

    private ClusterMember(final MemberSettings settings)
    {
        this.settings = settings;
        final File base = settings.quorumDir().toFile();
        ControllerNode node = null;
        MediaDriver driver = null;
        QuorumClusterView quorumView = null;
        try
        {
            final String aeronDir;
            if (settings.controller())
            {
                final QuorumNodeConfig config = new QuorumNodeConfig()
                    .members(QuorumMembers.forNode(settings.voters(), settings.nodeId(), settings.portOffset()))
                    .baseDir(base)
                    .aeronDirectoryName(settings.aeronDir())
                    .snapshotEveryCommands(settings.snapshotEveryCommands())
                    .electionTimeoutNs(TimeUnit.MILLISECONDS.toNanos(settings.aeronElectionTimeoutMs()))
                    // KRaft's fetch timeout is Aeron's leader heartbeat timeout; the leader heartbeats five times within it.
                    .leaderHeartbeatTimeoutNs(TimeUnit.MILLISECONDS.toNanos(settings.fetchTimeoutMs()))
                    .leaderHeartbeatIntervalNs(TimeUnit.MILLISECONDS.toNanos(Math.max(10, settings.fetchTimeoutMs() / 5)));
                node = ControllerNode.launch(config, () -> new MetadataStateMachine(settings.sessionTimeoutMs(), MAX_MESSAGE_LENGTH, settings.leaderBalance(),
                    settings.uncleanLeaderElection()));
                aeronDir = node.aeronDirectoryName();
            }
            else
            {
                driver = ClientMediaDriver.launch(settings.aeronDir());
                aeronDir = driver.aeronDirectoryName();
            }
            this.controller = node;
            this.clientDriver = driver;
            this.aeronDirectoryName = aeronDir;
            quorumView = new QuorumClusterView(settings.nodeId(), settings.listenerName(),
                QuorumMembers.forClient(settings.voters(), settings.portOffset()), settings.portOffset(), node);
            this.view = quorumView;
            this.client = new QuorumClient(new QuorumClient.Context()
                .aeronDirectoryName(aeronDir)
                .members(QuorumMembers.forClient(settings.voters(), settings.portOffset()))
                // Replies go where the leader, on whichever node, reaches this one: not loopback, unless every node is on it.
                .egressHost(settings.host())
                .listener(new Listener())
                .clientName("broker-" + settings.nodeId()));
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(quorumView, driver, node);
            throw ex;
        }
        this.runner = new AgentRunner(QuorumNodeConfig.defaultIdleStrategy(),
            ex -> LOG.error("cluster member: unexpected failure", ex), null, new MemberAgent());
    }

    /** Starts this node's voter (a controller) and its session with the quorum; registration comes later ({@link #register}). */
    public static ClusterMember start(final MemberSettings settings)
    {
        final ClusterMember member = new ClusterMember(settings);
        AgentRunner.startOnThread(member.runner);
        return member;
    }

    /** The brokers and controller as the quorum's image says (Metadata, DescribeCluster, FindCoordinator). */
    /** The folder of this node's media driver. */
    public String aeronDirectoryName()
    {
        return aeronDirectoryName;
    }

    /** This broker replicates partitions: CreateTopics may ask for more than one replica. */
    public void enableReplication()
    {
        view.replicating(true);
    }

    /**
     * Asks the quorum to change a partition's in-sync replicas (Kafka's AlterPartition), as its
     * leader at {@code leaderEpoch}, from {@code currentIsr} to {@code newIsr}. Any thread;
     * {@code done} runs on this member's thread with the outcome (NONE once committed, which the
     * image then shows; REQUEST_TIMED_OUT if the quorum did not answer).
     */
    public void alterPartition(final org.apache.kafka.common.Uuid topicId, final int partition, final int leaderEpoch,
        final List<Integer> currentIsr, final List<Integer> newIsr, final Consumer<Errors> done)
    {
        inbox.offer(() ->
        {
            if (brokerEpoch < 0)
            {
                done.accept(Errors.STALE_BROKER_EPOCH);
                return;
            }
            send(new MetadataCommand.AlterPartition(0, settings.nodeId(), brokerEpoch, topicId, partition, leaderEpoch, currentIsr, newIsr),
                reply -> done.accept(reply instanceof MetadataReply.CommandResult result ? Errors.forCode(result.errorCode())
                    : Errors.REQUEST_TIMED_OUT));
        });
    }

    /** host:port of broker {@code nodeId}'s replication stream, as it registered it; null if unknown. */
    public String replicationEndpoint(final int nodeId)
    {
        return view.replicationEndpoint(nodeId);
    }

    public ClusterView view()
    {
        return view;
    }

    /** Producer ids from blocks the quorum allocates to this broker. */
    public ProducerIds producerIds()
    {
        return producerIds;
    }

    private void askForProducerIds(final QuorumProducerIds ids)
    {
        inbox.offer(() ->
        {
            if (brokerEpoch < 0)
            {
                ids.onNoBlock();
                return;
            }
            send(new MetadataCommand.AllocateProducerIds(0, settings.nodeId(), brokerEpoch), reply ->
            {
                if (reply instanceof MetadataReply.ProducerIdBlock block)
                {
                    ids.onBlock(block.firstProducerId(), block.size());
                }
                else
                {
                    LOG.warn("broker {}: no producer id block from the quorum: {}", settings.nodeId(), reply);
                    ids.onNoBlock();
                }
            });
        });
    }

    /** Where this broker's topic changes go: the quorum. */
    public QuorumTopics topics()
    {
        return new ForwardedTopics((command, onReply) -> inbox.offer(() -> send(command, onReply)));
    }

    /**
     * Waits for the quorum's first whole image (the quorum needs a majority of its voters up).
     *
     * @throws IllegalStateException if none arrives in time
     */
    public MetadataImage awaitImage(final Duration timeout)
    {
        try
        {
            return firstImage.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (final TimeoutException ex)
        {
            throw new IllegalStateException("no metadata from the quorum (" + settings.voters() + ") within " + timeout
                + ": are a majority of its controllers up?", ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the quorum", ex);
        }
        catch (final ExecutionException ex)
        {
            throw new IllegalStateException("the quorum's metadata could not be read", ex.getCause());
        }
    }

    /** The image's topics as the registry holds them, for {@link TopicRegistry#loadFromQuorum} at start-up. */
    public static List<Topic> topicsOf(final MetadataImage image, final TopicRegistry registry)
    {
        final List<Topic> topics = new ArrayList<>();
        for (final MetadataImage.Topic topic : image.topics())
        {
            topics.add(registry.fromQuorum(topic.name(), topic.id(), topic.configs(), leaderships(topic)));
        }
        return topics;
    }

    private static List<Leadership> leaderships(final MetadataImage.Topic topic)
    {
        final List<Leadership> out = new ArrayList<>(topic.partitions().size());
        for (final MetadataImage.Partition p : topic.partitions())
        {
            out.add(new Leadership(p.leader(), p.leaderEpoch(), p.replicas(), p.isr(), p.addingReplicas(), p.removingReplicas()));
        }
        return out;
    }

    /** From now on every change after {@code loaded} (the image the logs were opened from) goes to {@code conductor}. */
    public void attach(final MetadataImage loaded, final ConductorProxy conductor)
    {
        inbox.offer(() ->
        {
            this.conductor = conductor;
            this.applied = loaded;
            applyChanges(latest);
        });
    }

    /**
     * Registers this broker with the endpoint clients reach it at, proposing {@code clusterId} (the
     * quorum adopts the first it is given, and refuses another after), and waits for the answer.
     *
     * @throws IllegalStateException if the quorum refuses (another cluster's id, a live node of the same id) or does not answer
     */
    public void register(final String host, final int port, final String clusterId, final Duration timeout)
    {
        register(host, port, null, clusterId, timeout);
    }

    /**
     * As {@link #register(String, int, String, Duration)}, also naming where this broker's
     * replication stream listens ({@code host:port}; null for none), so its partitions' leaders
     * and followers reach it.
     */
    public void register(final String host, final int port, final String replicationEndpoint, final String clusterId,
        final Duration timeout)
    {
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        final List<MetadataImage.Endpoint> endpoints = new ArrayList<>();
        endpoints.add(new MetadataImage.Endpoint(settings.listenerName(), host, port, SecurityProtocol.PLAINTEXT.id));
        if (replicationEndpoint != null)
        {
            final int colon = replicationEndpoint.lastIndexOf(':');
            endpoints.add(new MetadataImage.Endpoint(QuorumClusterView.REPLICATION_LISTENER, replicationEndpoint.substring(0, colon),
                Integer.parseInt(replicationEndpoint.substring(colon + 1)), SecurityProtocol.PLAINTEXT.id));
        }
        final MetadataCommand.RegisterBroker command = new MetadataCommand.RegisterBroker(0, settings.nodeId(), incarnationId, clusterId,
            settings.rack() == null ? "" : settings.rack(), endpoints);
        MetadataReply reply = registerOnce(command, deadlineNs);
        // A node restarted at once after kill -9 finds its previous incarnation's session still live:
        // as Kafka's brokers do, ask again until that session expires (broker.session.timeout.ms).
        // Past that, another live broker holds the id: the refusal stands.
        final long retryUntilNs = Math.min(deadlineNs, System.nanoTime()
            + TimeUnit.MILLISECONDS.toNanos(settings.sessionTimeoutMs() + 2 * settings.heartbeatIntervalMs()));
        // A registration that got no answer (its request timed out, say while the quorum elected) is
        // sent again until the deadline: left unregistered, the broker would wait for unfencing in vain.
        while (reply == null && System.nanoTime() - deadlineNs < 0
            || isDuplicateRegistration(reply) && System.nanoTime() - retryUntilNs < 0)
        {
            LOG.info("broker {}: {}; registering again in {} ms", settings.nodeId(),
                reply == null ? "the quorum did not answer the registration" : "the previous incarnation's session is still live",
                settings.heartbeatIntervalMs());
            sleepQuietly(settings.heartbeatIntervalMs());
            reply = registerOnce(command, deadlineNs);
        }
        if (reply == null)
        {
            throw new IllegalStateException("broker " + settings.nodeId() + " could not register with the quorum in time");
        }
        if (reply instanceof MetadataReply.CommandResult refused)
        {
            throw new IllegalStateException("the quorum refused broker " + settings.nodeId() + ": " + refused.error() + " " + refused.message());
        }
    }

    private static boolean isDuplicateRegistration(final MetadataReply reply)
    {
        return reply instanceof MetadataReply.CommandResult refused && refused.error() == Errors.DUPLICATE_BROKER_REGISTRATION;
    }

    private static void sleepQuietly(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while registering", ex);
        }
    }

    private MetadataReply registerOnce(final MetadataCommand.RegisterBroker command, final long deadlineNs)
    {
        final CompletableFuture<MetadataReply> answer = new CompletableFuture<>();
        inbox.offer(() ->
        {
            registration = command;
            sendRegistration(answer::complete);
        });
        final MetadataReply reply;
        try
        {
            reply = answer.get(Math.max(0, deadlineNs - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
        catch (final TimeoutException | ExecutionException ex)
        {
            throw new IllegalStateException("broker " + settings.nodeId() + " could not register with the quorum in time", ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while registering", ex);
        }
        return reply;
    }

    /**
     * The broker serves: its heartbeats ask to be unfenced, so it is given leaderships and listed to
     * clients. Waits, as a Kafka broker's start-up does, until the quorum has unfenced it.
     *
     * @throws IllegalStateException if the quorum does not unfence it within {@code timeout}
     */
    public void markReady(final Duration timeout)
    {
        final CompletableFuture<Void> unfenced = new CompletableFuture<>();
        inbox.offer(() ->
        {
            ready = true;
            unfencedWaiter = unfenced;
            nextHeartbeatMs = 0;
        });
        try
        {
            unfenced.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (final TimeoutException | ExecutionException ex)
        {
            throw new IllegalStateException("broker " + settings.nodeId() + " was not unfenced by the quorum within " + timeout, ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting to be unfenced", ex);
        }
    }

    private CompletableFuture<Void> unfencedWaiter;

    /** The cluster id the quorum holds (after registration). */
    public String clusterId()
    {
        return view.clusterId();
    }

    /**
     * Controlled shutdown (the broker's leaderships move to others and it is fenced, or at most
     * {@code timeout}), then the session, the quorum voter and the media driver stop.
     */
    public void shutDown(final Duration timeout)
    {
        final CompletableFuture<Void> done = new CompletableFuture<>();
        inbox.offer(() ->
        {
            shuttingDown = true;
            if (brokerEpoch < 0)
            {
                done.complete(null);
                return;
            }
            heartbeat(System.currentTimeMillis(), reply ->
            {
                if (reply instanceof MetadataReply.BrokerHeartbeatReply answer && answer.shouldShutDown())
                {
                    done.complete(null);
                }
            });
            shutdownWaiter = done;
        });
        try
        {
            done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (final TimeoutException | ExecutionException ex)
        {
            LOG.warn("controlled shutdown of broker {} did not finish within {}; stopping anyway", settings.nodeId(), timeout);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        close();
    }

    private CompletableFuture<Void> shutdownWaiter;

    @Override
    public void close()
    {
        CloseHelper.quietCloseAll(runner, view, client, controller, clientDriver);
    }

    // ---------------------------------------------------------------- member agent's thread

    private void sendRegistration(final Consumer<MetadataReply> onReply)
    {
        send(registration, reply ->
        {
            if (reply instanceof MetadataReply.BrokerRegistered registered)
            {
                brokerEpoch = registered.brokerEpoch();
                nextHeartbeatMs = 0;
                quorumAnsweredMs = System.currentTimeMillis();
                LOG.info("broker {} registered with the quorum (epoch {}, cluster {})", settings.nodeId(), brokerEpoch, registered.clusterId());
            }
            else if (reply != null && !isDuplicateRegistration(reply))
            {
                LOG.error("broker {} was refused by the quorum: {}", settings.nodeId(), reply);
            }
            onReply.accept(reply);
        });
    }

    /**
     * Registers again after start-up (the quorum forgot this incarnation), as {@link #register} does at
     * start: an unanswered attempt, or one that meets the old incarnation's still-live session, is sent
     * again a heartbeat interval later. Without heartbeats the broker would stay fenced for good.
     */
    private void registerAgain()
    {
        sendRegistration(reply ->
        {
            if (reply == null || isDuplicateRegistration(reply))
            {
                LOG.info("broker {}: {}; registering again in {} ms", settings.nodeId(),
                    reply == null ? "the quorum did not answer the registration" : "the previous incarnation's session is still live",
                    settings.heartbeatIntervalMs());
                reregisterAtMs = System.currentTimeMillis() + settings.heartbeatIntervalMs();
            }
        });
    }

    /**
     * A broker the quorum has not answered for a whole session timeout has been fenced by now, on the
     * other side of a network cut say, and its partitions may have new leaders it cannot hear of. Its
     * clients would keep writing to it and time out (an acks=all write cannot be acknowledged there,
     * and REQUEST_TIMED_OUT does not make a client look the leader up again), so until the quorum
     * answers again its replicated partitions refuse writes with NOT_LEADER_OR_FOLLOWER.
     */
    private int watchQuorumContact(final long nowMs)
    {
        final boolean lost = quorumAnsweredMs >= 0 && nowMs - quorumAnsweredMs > settings.sessionTimeoutMs();
        if (lost == quorumContactLost)
        {
            return 0;
        }
        quorumContactLost = lost;
        view.quorumContactLost(lost);
        if (lost)
        {
            LOG.warn("broker {}: the quorum has answered no heartbeat for {} ms, so it has fenced this broker by now; "
                + "partitions led here with other in-sync replicas refuse writes until it answers", settings.nodeId(),
                nowMs - quorumAnsweredMs);
        }
        else
        {
            LOG.info("broker {}: the quorum answers again; its partitions take writes as their metadata says", settings.nodeId());
        }
        return 1;
    }

    private void heartbeat(final long nowMs, final Consumer<MetadataReply> onReply)
    {
        nextHeartbeatMs = nowMs + settings.heartbeatIntervalMs();
        send(new MetadataCommand.BrokerHeartbeat(0, settings.nodeId(), brokerEpoch, !ready, shuttingDown, latest.version()), onReply);
    }

    /** Sends {@code command} with a fresh correlation id; {@code onReply} gets its reply, or none if it times out. */
    private void send(final MetadataCommand command, final Consumer<MetadataReply> onReply)
    {
        final long correlationId = nextCorrelationId++;
        final MetadataCommand numbered = command.withCorrelationId(correlationId);
        pending.put(correlationId, new Pending(numbered, onReply, System.currentTimeMillis() + settings.requestTimeoutMs()));
        offer(numbered);
    }

    private void offer(final MetadataCommand command)
    {
        final int length = commands.encode(command, commandBuffer, 0);
        if (!client.offer(commandBuffer, 0, length))
        {
            // Not connected or back-pressured: it is sent again when the session is (re)established.
            LOG.debug("command {} not sent yet", command.correlationId());
        }
    }

    private void onMessage(final DirectBuffer buffer, final int offset, final int length)
    {
        final MetadataReply reply = replies.decode(buffer, offset);
        if (reply != null)
        {
            final Pending waiting = pending.remove(reply.correlationId());
            if (waiting != null && builder.hasImage())
            {
                waiting.onReply().accept(reply);
            }
            else if (waiting != null)
            {
                // Its change may be among the deltas a builder without an image ignored: answer once the image is here.
                answersAwaitingImage.add(() -> waiting.onReply().accept(reply));
            }
            return;
        }
        final boolean changed;
        try
        {
            changed = builder.apply(buffer, offset, length);
            if (builder.receivingImage())
            {
                // The image is arriving: a long one is not cut short by asking again.
                resubscribeAtMs = System.currentTimeMillis() + IMAGE_RETRY_MS;
            }
        }
        catch (final IllegalStateException ex)
        {
            // A change was lost (a session moved): only a whole image repairs that.
            LOG.warn("broker {}: {}; asking the quorum for its whole image", settings.nodeId(), ex.getMessage());
            subscribe();
            return;
        }
        if (changed)
        {
            final MetadataImage image = builder.image();
            latest = image;
            view.update(image, client.leaderMemberId());
            firstImage.complete(image);
            applyChanges(image);
            answerHeldReplies();
        }
    }

    private void answerHeldReplies()
    {
        final List<Runnable> held = new ArrayList<>(answersAwaitingImage);
        answersAwaitingImage.clear();
        held.forEach(Runnable::run);
    }

    /** Asks for the whole image; a fresh builder ignores the changes before it. */
    private void subscribe()
    {
        builder = new MetadataImageBuilder();
        resubscribeAtMs = System.currentTimeMillis() + IMAGE_RETRY_MS;
        offer(new MetadataCommand.SubscribeImage(nextCorrelationId++));
    }

    /** Hands the conductor every topic that is new, changed or gone since the image it has. */
    private void applyChanges(final MetadataImage image)
    {
        if (conductor == null || applied == null || image == applied)
        {
            return;
        }
        for (final MetadataImage.Topic topic : image.topics())
        {
            final MetadataImage.Topic before = applied.topic(topic.id());
            if (!topic.equals(before))
            {
                conductor.applyTopicMetadata(topic.name(), topic.id(), topic.configs(), leaderships(topic), logFailure("applying " + topic.name()));
            }
        }
        for (final MetadataImage.Topic topic : applied.topics())
        {
            if (image.topic(topic.id()) == null)
            {
                conductor.removeTopicMetadata(topic.name(), logFailure("removing " + topic.name()));
            }
        }
        applied = image;
        final PartitionHealth now = PartitionHealth.of(image, settings.nodeId());
        if (!now.equals(health))
        {
            LOG.info("broker {}: {} under-replicated partitions led here (were {}), {} offline partitions in the cluster (were {})",
                settings.nodeId(), now.underReplicatedLedHere(), Math.max(0, health.underReplicatedLedHere()), now.offline(),
                Math.max(0, health.offline()));
            health = now;
        }
    }

    /** UnderReplicatedPartitions (led here) and OfflinePartitionsCount (the cluster's) as of the last applied image. */
    public int underReplicatedPartitions()
    {
        return health.underReplicatedLedHere();
    }

    public int offlinePartitions()
    {
        return health.offline();
    }

    private TopicResultHandler logFailure(final String what)
    {
        return new TopicResultHandler()
        {
            @Override
            public void onResult(final TopicResult result)
            {
                if (!result.isDone() && result.outcome() != TopicResult.Outcome.UNKNOWN_TOPIC)
                {
                    LOG.error("broker {}: {} as the quorum committed it failed: {} {}", settings.nodeId(), what, result.outcome(), result.message());
                }
            }

            @Override
            public void onFailure(final Throwable cause)
            {
                LOG.error("broker {}: {} as the quorum committed it failed", settings.nodeId(), what, cause);
            }
        };
    }

    private int expireAndHeartbeat(final long nowMs)
    {
        int work = watchQuorumContact(nowMs);
        if (brokerEpoch >= 0 && nowMs >= nextHeartbeatMs && client.isConnected())
        {
            final long sentWithEpoch = brokerEpoch;
            heartbeat(nowMs, reply ->
            {
                if (reply instanceof MetadataReply.CommandResult refused && refused.error() == Errors.STALE_BROKER_EPOCH)
                {
                    if (sentWithEpoch != brokerEpoch)
                    {
                        // Sent under an older registration (answered late, e.g. after a network cut healed): this
                        // broker has registered since, and the refusal says nothing about the current one.
                        return;
                    }
                    // The quorum forgot this incarnation (its session expired): register again.
                    LOG.warn("broker {}: stale epoch {}; registering again", settings.nodeId(), brokerEpoch);
                    brokerEpoch = -1;
                    registerAgain();
                }
                else if (reply instanceof MetadataReply.BrokerHeartbeatReply answer)
                {
                    quorumAnsweredMs = System.currentTimeMillis();
                    if (answer.shouldShutDown() && shutdownWaiter != null)
                    {
                        shutdownWaiter.complete(null);
                    }
                    if (!answer.isFenced())
                    {
                        // Blocks go to unfenced brokers only: the first is asked for now, so the first producer needs no retry.
                        producerIds.prefetch();
                    }
                    if (!answer.isFenced() && ready && unfencedWaiter != null)
                    {
                        unfencedWaiter.complete(null);
                        unfencedWaiter = null;
                    }
                }
            });
            work++;
        }
        if (brokerEpoch < 0 && nowMs >= reregisterAtMs && client.isConnected())
        {
            reregisterAtMs = Long.MAX_VALUE;
            registerAgain();
            work++;
        }
        if (!builder.hasImage() && nowMs >= resubscribeAtMs && client.isConnected())
        {
            // A SubscribeImage offered as the session moved to a new leader can be refused or lost; without
            // an image every later change is ignored, so this broker would never apply another one.
            LOG.warn("broker {}: no image from the quorum within {} ms of subscribing; subscribing again", settings.nodeId(), IMAGE_RETRY_MS);
            subscribe();
            work++;
        }
        for (final Iterator<Map.Entry<Long, Pending>> it = pending.entrySet().iterator(); it.hasNext(); )
        {
            final Pending waiting = it.next().getValue();
            if (nowMs >= waiting.deadlineMs())
            {
                it.remove();
                waiting.onReply().accept(null);
                work++;
            }
        }
        return work;
    }

    private final class Listener implements QuorumClient.Listener
    {
        @Override
        public void onMessage(final DirectBuffer buffer, final int offset, final int length)
        {
            ClusterMember.this.onMessage(buffer, offset, length);
        }

        @Override
        public void onConnected(final long sessionId, final int leaderMemberId, final boolean newSession)
        {
            LOG.info("broker {}: session {} with the quorum, leader {}{}", settings.nodeId(), sessionId, leaderMemberId,
                newSession ? " (new session)" : "");
            view.controller(leaderMemberId);
            // What was in flight may be lost: ask for the whole image again, and send again what got no reply.
            final List<Pending> resend = new ArrayList<>(pending.values());
            subscribe();
            for (final Pending waiting : resend)
            {
                offer(waiting.command());
            }
            if (newSession && registration != null && brokerEpoch >= 0)
            {
                registerAgain();
            }
        }

        @Override
        public void onDisconnected(final String reason)
        {
            LOG.warn("broker {}: session with the quorum lost ({}); reconnecting", settings.nodeId(), reason);
        }
    }

    private final class MemberAgent implements Agent
    {
        @Override
        public int doWork()
        {
            int work = client.doWork();
            Runnable task;
            while ((task = inbox.poll()) != null)
            {
                task.run();
                work++;
            }
            return work + expireAndHeartbeat(System.currentTimeMillis());
        }

        @Override
        public String roleName()
        {
            return "quorum-member-" + settings.nodeId();
        }
    }
}
