package io.runnel.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import io.runnel.broker.config.ClusterRoleConfig;
import io.runnel.broker.config.DynamicBrokerConfigs;
import io.runnel.broker.config.BrokerConfigDef;
import io.runnel.broker.config.IdleStrategyType;
import io.runnel.broker.config.ListenerEndpoint;
import io.runnel.broker.config.QuorumSettings;
import io.runnel.cluster.member.ClusterMember;
import io.runnel.cluster.member.MemberSettings;
import io.runnel.cluster.member.VoterDiscovery;
import io.runnel.cluster.metadata.LeaderBalance;
import io.runnel.cluster.metadata.MetadataImage;
import io.runnel.cluster.replication.ReplicaDuty;
import io.runnel.cluster.replication.ReplicationNetwork;
import io.runnel.cluster.replication.ReplicationSettings;
import io.runnel.cluster.replication.ReplicationThrottle;
import io.runnel.coordinator.group.GroupCoordinator;
import io.runnel.io.IoConfig;
import io.runnel.io.api.ApiShard;
import io.runnel.io.api.BrokerServices;
import io.runnel.io.api.FaultHooks;
import io.runnel.io.api.ParkedOperations;
import io.runnel.io.api.SupportedApis;
import io.runnel.io.net.Acceptor;
import io.runnel.io.net.Reactor;
import io.runnel.io.net.ReactorIdleStrategy;
import io.runnel.io.router.ApiRouter;
import io.runnel.kernel.LogManager;
import io.runnel.kernel.files.AtomicFile;
import io.runnel.kernel.log.FlushPolicy;
import io.runnel.kernel.metadata.BrokerEndpoint;
import io.runnel.kernel.metadata.ClusterView;
import io.runnel.kernel.producer.ProducerIdAllocator;
import io.runnel.kernel.producer.ProducerIds;
import io.runnel.kernel.shard.Shard;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SystemEpochClock;
import org.apache.kafka.common.Uuid;

/**
 * A Runnel node assembled from its layers: the kernel's conductor, shards and logs, a group
 * coordinator, a reactor and the API handlers per shard, and an acceptor per listener (the broker
 * listener, and on a controller of a cluster its controller listeners). A cluster member also runs
 * its {@link ClusterMember}; a controller-only node serves no clients. {@link #start()} returns once clients can connect;
 * {@link #close()} stops accepting, stops the shards (closing every log cleanly) and leaves the
 * clean-shutdown marker.
 */
public final class RunnelBroker implements AutoCloseable
{
    /**
     * Longest an idle shard blocks in its selector while it must poll: parked fetches, backlogged
     * commands, and partitions it replicates (Aeron's messages do not wake a selector, so a blocked
     * shard would answer a follower's fetch, or append a leader's batches, only when it wakes).
     */
    private static final long PARKED_IDLE_BLOCK_MS = 1;
    /** Longest an idle shard blocks otherwise: sockets and inbox offers wake it sooner. */
    private static final long IDLE_BLOCK_MS = 100;

    private final BrokerConfig config;
    private final FaultHooks faultHooks = new FaultHooks();
    private LogManager logManager;
    private DynamicBrokerConfigs dynamicConfigs;
    /** The broker listener's; null on a controller-only node. */
    private Acceptor acceptor;
    private final List<Acceptor> controllerAcceptors = new ArrayList<>();
    /** A cluster member's link to the metadata quorum; null on a single node. */
    private ClusterMember member;
    /** The replication stream between brokers; null on a single node, or with replication off. */
    private ReplicationNetwork replication;
    private InetSocketAddress boundAddress;

    public RunnelBroker(final BrokerConfig config)
    {
        this.config = config;
    }

    public RunnelBroker start() throws IOException
    {
        // Dynamic changes stored by an earlier run apply over server.properties from the start.
        dynamicConfigs = DynamicBrokerConfigs.load(config.resolved(), config.logDir(), config.nodeId());
        final boolean clustered = !config.clusterRole().singleNode();
        // A controller-only node (process.roles=controller) serves its controller listeners, never clients: it is no broker.
        final boolean servesClients = !clustered || config.clusterRole().isBroker();
        logManager = new LogManager(config.logDir(), config.shards(), dynamicConfigs.logDefaults(), SystemEpochClock.INSTANCE,
            config.retentionCheckIntervalMs(), config.cleanerConfig(), config.nodeId(), clustered);
        // Under the fsync policy group commit writes everything back each cycle: no thread is needed for it.
        if (config.writebackBytes() > 0 && config.logConfig().flushPolicy() == FlushPolicy.PAGE_CACHE)
        {
            logManager.writeBackEvery(config.writebackBytes());
        }
        try
        {
            // Each coordinator loads the offsets partitions its shard owns and this node leads, in its duty cycle.
            final GroupCoordinator[] coordinators = new GroupCoordinator[logManager.shardCount()];
            for (int i = 0; i < coordinators.length; i++)
            {
                final Shard shard = logManager.shard(i);
                coordinators[i] = new GroupCoordinator(shard, logManager, config.groupConfig());
                shard.addDuty(coordinators[i]);
            }
            MetadataImage loaded = null;
            if (clustered)
            {
                // A cluster member's topics are the quorum's: its first image decides which logs open, and which directories are orphans.
                member = ClusterMember.start(memberSettings(config));
                loaded = member.awaitImage(QUORUM_START_TIMEOUT);
                logManager.registry().loadFromQuorum(ClusterMember.topicsOf(loaded, logManager.registry()));
            }
            logManager.open();
            final String clusterId = clustered ? clusterIdOfMember(loaded) : clusterId(config.logDir());
            final IoConfig ioConfig = new IoConfig(config.nodeId(), config.advertisedHost(), config.advertisedPort(), clusterId,
                config.autoCreateTopics(), config.numPartitions(), config.socketRequestMaxBytes(),
                config.validateCompressedRecords(), dynamicConfigs.described(), config.fetchSessionCacheSlots());
            final List<Reactor> reactors = new ArrayList<>();
            final List<Reactor.ConnectionSetup> controllerSetups = new ArrayList<>();
            final List<IdleStrategy> idleStrategies = new ArrayList<>();
            if (clustered && config.clusterRole().isController())
            {
                bindControllerListeners(reactors, controllerSetups);
            }
            if (servesClients)
            {
                acceptor = new Acceptor(new InetSocketAddress(config.host(), config.port()), reactors);
                boundAddress = acceptor.localAddress();
            }
            else
            {
                boundAddress = controllerAcceptors.get(0).localAddress();
            }
            // The advertised port is only known after binding when the listener asks for port 0.
            final IoConfig effective = config.advertisedPort() == 0 ? ioConfig.withAdvertisedPort(boundAddress.getPort()) : ioConfig;
            final List<ReplicaDuty> replicaDuties = new ArrayList<>(java.util.Collections.nCopies(logManager.shardCount(), (ReplicaDuty)null));
            if (clustered && servesClients && config.resolved().<Boolean>value(BrokerConfigDef.REPLICATION_ENABLE))
            {
                member.enableReplication();
                replication = ReplicationNetwork.start(member.aeronDirectoryName(), effective.advertisedHost(),
                    replicationPort(effective.advertisedPort()), member::replicationEndpoint, member::alterPartition);
                final ReplicationSettings settings = ReplicationSettings.defaults(config.nodeId(),
                    config.resolved().<Long>value(BrokerConfigDef.REPLICA_LAG_TIME_MAX_MS)).withThrottles(
                    new ReplicationThrottle(() -> dynamicConfigs.resolved().<Long>value(BrokerConfigDef.LEADER_REPLICATION_THROTTLED_RATE)),
                    new ReplicationThrottle(() -> dynamicConfigs.resolved().<Long>value(BrokerConfigDef.FOLLOWER_REPLICATION_THROTTLED_RATE)));
                for (int i = 0; i < logManager.shardCount(); i++)
                {
                    final Shard shard = logManager.shard(i);
                    final ReplicaDuty duty = replication.dutyFor(shard, logManager.registry(), logManager.conductor(), settings);
                    replicaDuties.set(i, duty);
                    shard.addDuty(duty);
                }
            }
            if (clustered && servesClients)
            {
                member.register(effective.advertisedHost(), effective.advertisedPort(), replication == null ? null : replication.endpoint(),
                    clusterId, QUORUM_START_TIMEOUT);
                storeClusterId(config.logDir(), member.clusterId().isEmpty() ? clusterId : member.clusterId());
                logManager.conductor().forwardTopicChangesTo(member.topics());
                member.attach(loaded, logManager.conductor().externalProxy());
            }
            final ProducerIds producerIds = clustered ? member.producerIds() : new ProducerIdAllocator(config.logDir());
            final BrokerServices services = new BrokerServices(logManager, effective, producerIds,
                coordinators, faultHooks, dynamicConfigs, clustered ? member.view() : singleNodeView(effective));
            for (int i = 0; i < logManager.shardCount(); i++)
            {
                final Shard shard = logManager.shard(i);
                final Reactor reactor = new Reactor(shard, config.socketRequestMaxBytes());
                final ParkedOperations parked = new ParkedOperations(shard.clock().time());
                final ReplicaDuty replicaDuty = replicaDuties.get(i);
                final ApiRouter router = new ApiRouter(new ApiShard(shard, reactor, parked, logManager.conductorFor(i)), services);
                reactor.connectionSetup(connection -> router);
                if (!controllerAcceptors.isEmpty())
                {
                    final ApiRouter controllerRouter = new ApiRouter(new ApiShard(shard, reactor, parked, logManager.conductorFor(i)),
                        services, SupportedApis.CONTROLLER_LISTENER);
                    controllerSetups.add(connection -> controllerRouter);
                }
                shard.addDuty(reactor);
                shard.addDuty(parked);
                reactors.add(reactor);
                if (config.idleStrategy() == IdleStrategyType.BUSY_SPIN)
                {
                    idleStrategies.add(new BusySpinIdleStrategy());
                }
                else
                {
                    final ReactorIdleStrategy idle = new ReactorIdleStrategy(reactor.selector(), shard::hasPendingCommands,
                        () -> parked.needsPolling() || shard.hasBacklog() || replicates(replicaDuty) ? PARKED_IDLE_BLOCK_MS : IDLE_BLOCK_MS,
                        config.idleSpins(), config.idleYields());
                    shard.wakeupWith(idle::wakeup);
                    idleStrategies.add(idle);
                }
            }
            logManager.start(idleStrategies::get);
            controllerAcceptors.forEach(Acceptor::start);
            if (acceptor != null)
            {
                acceptor.start();
                if (member != null)
                {
                    member.markReady(QUORUM_START_TIMEOUT);
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            close();
            throw ex;
        }
        return this;
    }

    /**
     * Binds each controller listener: what admin tools ask of a controller (DescribeQuorum, DescribeCluster
     * with controllers), served by the same shards' reactors through routers that serve only that.
     */
    private void bindControllerListeners(final List<Reactor> reactors, final List<Reactor.ConnectionSetup> setups) throws IOException
    {
        for (final ListenerEndpoint listener : config.clusterRole().listeners().controller())
        {
            final String host = listener.host().isEmpty() ? "0.0.0.0" : listener.host();
            controllerAcceptors.add(new Acceptor("runnel-acceptor-" + listener.name(), new InetSocketAddress(host, listener.port()),
                reactors, setups));
        }
    }

    /** Whether a shard replicates partitions now (leads or follows one): then it must not block long. */
    private static boolean replicates(final ReplicaDuty duty)
    {
        return duty != null && duty.replicatesAny();
    }

    /** Test hooks into request handling (see {@link FaultHooks}). */
    public FaultHooks faultHooks()
    {
        return faultHooks;
    }

    /** The cluster id: configured, or stored in the log directory's meta.properties (created on first start). */
    /** How long start-up waits for the quorum (a majority of its controllers up) and for its registration. */
    private static final Duration QUORUM_START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration CONTROLLED_SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);

    /**
     * runnel.replication.port, or by default the client listener's port number, on UDP: a port the
     * broker already holds (on TCP), so it cannot be one that another node's quorum derives its UDP
     * ports from on a shared host, as a port picked at random could.
     */
    private int replicationPort(final int clientPort)
    {
        final int configured = config.resolved().<Integer>value(BrokerConfigDef.REPLICATION_PORT);
        return configured != 0 ? configured : clientPort;
    }

    private static MemberSettings memberSettings(final BrokerConfig config)
    {
        final ClusterRoleConfig role = config.clusterRole();
        final QuorumSettings quorum = role.quorum();
        // A broker-only node given controller.quorum.bootstrap.servers alone asks a controller listener for the voters.
        final String voters = !quorum.voters().isEmpty() ? quorum.votersString() : VoterDiscovery.discover(
            quorum.bootstrapServers().stream().map(address -> address.getHostString() + ":" + address.getPort())
                .collect(java.util.stream.Collectors.joining(",")),
            role.listeners().controllerListenerNames().get(0), QUORUM_START_TIMEOUT);
        return new MemberSettings(role.nodeId(), role.rack(), role.isController(), voters, quorum.portOffset(),
            quorum.dir(), quorum.aeronDir().toString(), role.listeners().interBrokerListenerName(), config.advertisedHost(),
            role.brokerHeartbeatIntervalMs(), role.brokerSessionTimeoutMs(), quorum.electionTimeoutMs(), quorum.fetchTimeoutMs(),
            quorum.snapshotIntervalCommands(), 30_000, new LeaderBalance(
                config.resolved().<Boolean>value(BrokerConfigDef.AUTO_LEADER_REBALANCE_ENABLE),
                TimeUnit.SECONDS.toMillis(config.resolved().<Long>value(BrokerConfigDef.LEADER_IMBALANCE_CHECK_INTERVAL_SECONDS)),
                config.resolved().<Integer>value(BrokerConfigDef.LEADER_IMBALANCE_PER_BROKER_PERCENTAGE)),
            config.resolved().<Boolean>value(BrokerConfigDef.UNCLEAN_LEADER_ELECTION_ENABLE));
    }

    /**
     * The id this node proposes: its configured or stored one, else the quorum's if it has one, else
     * one derived from the voter list. Nodes of a new cluster start together and each proposes
     * before any has been accepted: derived from what they share, their proposals agree (Kafka has
     * an operator format every node with one id instead).
     */
    private String clusterIdOfMember(final MetadataImage image)
    {
        final String own = config.clusterId() != null ? config.clusterId() : storedClusterId(config.logDir());
        if (own != null)
        {
            return own;
        }
        if (!image.clusterId().isEmpty())
        {
            return image.clusterId();
        }
        final java.util.UUID derived = java.util.UUID.nameUUIDFromBytes(
            ("runnel-cluster:" + config.clusterRole().quorum().votersString()).getBytes(StandardCharsets.UTF_8));
        return new Uuid(derived.getMostSignificantBits(), derived.getLeastSignificantBits()).toString();
    }

    private ClusterView singleNodeView(final IoConfig io)
    {
        return ClusterView.singleNode(io.clusterId(), new BrokerEndpoint(io.nodeId(), io.advertisedHost(), io.advertisedPort(), null));
    }

    private static String storedClusterId(final Path logDir)
    {
        final Path meta = logDir.resolve("meta.properties");
        if (!Files.exists(meta))
        {
            return null;
        }
        final Properties properties = new Properties();
        try (var reader = Files.newBufferedReader(meta, StandardCharsets.UTF_8))
        {
            properties.load(reader);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read " + meta, ex);
        }
        return properties.getProperty("cluster.id");
    }

    private void storeClusterId(final Path logDir, final String id)
    {
        if (id.equals(storedClusterId(logDir)))
        {
            return;
        }
        final Properties properties = new Properties();
        properties.setProperty("cluster.id", id);
        properties.setProperty("node.id", Integer.toString(config.nodeId()));
        AtomicFile.write(logDir.resolve("meta.properties"), properties, "Runnel broker identity", "the cluster id");
    }

    private String clusterId(final Path logDir)
    {
        final Path meta = logDir.resolve("meta.properties");
        final Properties properties = new Properties();
        try
        {
            if (Files.exists(meta))
            {
                try (var reader = Files.newBufferedReader(meta, StandardCharsets.UTF_8))
                {
                    properties.load(reader);
                }
            }
            String id = config.clusterId() != null ? config.clusterId() : properties.getProperty("cluster.id");
            if (id == null)
            {
                id = Uuid.randomUuid().toString();
            }
            if (!id.equals(properties.getProperty("cluster.id")))
            {
                properties.setProperty("cluster.id", id);
                properties.setProperty("node.id", Integer.toString(config.nodeId()));
                try (var writer = Files.newBufferedWriter(meta, StandardCharsets.UTF_8))
                {
                    properties.store(writer, "Runnel broker identity");
                }
            }
            return id;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read or write " + meta, ex);
        }
    }

    public InetSocketAddress boundAddress()
    {
        return boundAddress;
    }

    /** host:port for a client's bootstrap.servers. */
    public String bootstrapServers()
    {
        return config.advertisedHost() + ":" + boundAddress.getPort();
    }

    public LogManager logManager()
    {
        return logManager;
    }

    /** The settings in force: server.properties with the dynamic changes made at run time (and stored by earlier runs). */
    public DynamicBrokerConfigs dynamicConfigs()
    {
        return dynamicConfigs;
    }

    @Override
    public void close()
    {
        if (member != null)
        {
            // Controlled shutdown first: this broker's leaderships move while it still answers.
            member.shutDown(CONTROLLED_SHUTDOWN_TIMEOUT);
            member = null;
        }
        if (acceptor != null)
        {
            acceptor.close();
            acceptor = null;
        }
        controllerAcceptors.forEach(Acceptor::close);
        controllerAcceptors.clear();
        if (logManager != null)
        {
            logManager.close();
            logManager = null;
        }
        if (replication != null)
        {
            replication.close();
            replication = null;
        }
    }
}
