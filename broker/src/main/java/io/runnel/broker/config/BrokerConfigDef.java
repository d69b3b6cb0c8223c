package io.runnel.broker.config;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.runnel.io.net.ReactorIdleStrategy;
import io.runnel.kernel.config.DeclaredKey;
import io.runnel.kernel.log.FlushPolicy;
import io.runnel.kernel.log.TopicConfigDef;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

import static io.runnel.kernel.config.DeclaredKey.check;
import static org.apache.kafka.common.config.ConfigDef.Range.atLeast;
import static org.apache.kafka.common.config.ConfigDef.Range.between;
import static org.apache.kafka.common.config.ConfigDef.Type.BOOLEAN;
import static org.apache.kafka.common.config.ConfigDef.Type.DOUBLE;
import static org.apache.kafka.common.config.ConfigDef.Type.INT;
import static org.apache.kafka.common.config.ConfigDef.Type.LIST;
import static org.apache.kafka.common.config.ConfigDef.Type.LONG;
import static org.apache.kafka.common.config.ConfigDef.Type.SHORT;
import static org.apache.kafka.common.config.ConfigDef.Type.STRING;

/**
 * Every broker key, declared once: Kafka's names wherever Kafka has the setting, {@code runnel.*}
 * for Runnel's own. {@code server.properties}, {@code --override}, DescribeConfigs, the README's
 * table and {@code config/server.properties} itself ({@link ConfigDocs}) all read this.
 *
 * <p>A key is declared dynamic when Kafka marks it so and Runnel applies a change at run time
 * (IncrementalAlterConfigs / AlterConfigs, see {@link DynamicBrokerConfigs}): every key that supplies
 * a topic default, as Kafka's DynamicLogConfig, message.max.bytes among them. Kafka's per-broker
 * dynamic listeners are static here: Runnel cannot rebind a listener at run time.
 *
 * <p>A broker key that supplies a topic key's default names it ({@code log.segment.bytes} for
 * {@code segment.bytes}); keys that supply the same topic key are synonyms, declared in Kafka's
 * order of precedence ({@code log.roll.ms} before {@code log.roll.hours}).
 */
public final class BrokerConfigDef
{
    public static final String NODE_ID = "node.id";
    public static final String BROKER_ID = "broker.id";
    public static final String CLUSTER_ID = "cluster.id";
    public static final String PROCESS_ROLES = "process.roles";
    public static final String LISTENERS = "listeners";
    public static final String ADVERTISED_LISTENERS = "advertised.listeners";
    public static final String LISTENER_SECURITY_PROTOCOL_MAP = "listener.security.protocol.map";
    public static final String INTER_BROKER_LISTENER_NAME = "inter.broker.listener.name";
    public static final String CONTROLLER_LISTENER_NAMES = "controller.listener.names";
    public static final String CONTROLLER_QUORUM_VOTERS = "controller.quorum.voters";
    public static final String CONTROLLER_QUORUM_BOOTSTRAP_SERVERS = "controller.quorum.bootstrap.servers";
    public static final String CONTROLLER_QUORUM_ELECTION_TIMEOUT_MS = "controller.quorum.election.timeout.ms";
    public static final String CONTROLLER_QUORUM_FETCH_TIMEOUT_MS = "controller.quorum.fetch.timeout.ms";
    public static final String BROKER_HEARTBEAT_INTERVAL_MS = "broker.heartbeat.interval.ms";
    public static final String BROKER_SESSION_TIMEOUT_MS = "broker.session.timeout.ms";
    public static final String AUTO_LEADER_REBALANCE_ENABLE = "auto.leader.rebalance.enable";
    public static final String UNCLEAN_LEADER_ELECTION_ENABLE = "unclean.leader.election.enable";
    public static final String LEADER_IMBALANCE_CHECK_INTERVAL_SECONDS = "leader.imbalance.check.interval.seconds";
    public static final String LEADER_IMBALANCE_PER_BROKER_PERCENTAGE = "leader.imbalance.per.broker.percentage";
    public static final String BROKER_RACK = "broker.rack";
    public static final String METADATA_LOG_DIR = "metadata.log.dir";
    public static final String QUORUM_PORT_OFFSET = "runnel.quorum.port.offset";
    public static final String QUORUM_DIR = "runnel.quorum.dir";
    public static final String QUORUM_AERON_DIR = "runnel.quorum.aeron.dir";
    public static final String QUORUM_SNAPSHOT_INTERVAL_COMMANDS = "runnel.quorum.snapshot.interval.commands";
    public static final String REPLICATION_ENABLE = "runnel.replication.enable";
    public static final String REPLICA_LAG_TIME_MAX_MS = "replica.lag.time.max.ms";
    public static final String LEADER_REPLICATION_THROTTLED_RATE = "leader.replication.throttled.rate";
    public static final String FOLLOWER_REPLICATION_THROTTLED_RATE = "follower.replication.throttled.rate";
    public static final String REPLICA_ALTER_LOG_DIRS_IO_MAX_BYTES_PER_SECOND = "replica.alter.log.dirs.io.max.bytes.per.second";
    public static final String REPLICATION_PORT = "runnel.replication.port";
    public static final String SOCKET_REQUEST_MAX_BYTES = "socket.request.max.bytes";
    public static final String MAX_INCREMENTAL_FETCH_SESSION_CACHE_SLOTS = "max.incremental.fetch.session.cache.slots";
    public static final String LOG_DIRS = "log.dirs";
    public static final String LOG_DIR = "log.dir";
    public static final String NUM_PARTITIONS = "num.partitions";
    public static final String AUTO_CREATE_TOPICS_ENABLE = "auto.create.topics.enable";
    public static final String MESSAGE_MAX_BYTES = "message.max.bytes";
    public static final String COMPRESSION_TYPE = "compression.type";
    public static final String COMPRESSION_GZIP_LEVEL = "compression.gzip.level";
    public static final String COMPRESSION_LZ4_LEVEL = "compression.lz4.level";
    public static final String COMPRESSION_ZSTD_LEVEL = "compression.zstd.level";
    public static final String LOG_SEGMENT_BYTES = "log.segment.bytes";
    public static final String LOG_ROLL_MS = "log.roll.ms";
    public static final String LOG_ROLL_HOURS = "log.roll.hours";
    public static final String LOG_INDEX_INTERVAL_BYTES = "log.index.interval.bytes";
    public static final String LOG_INDEX_SIZE_MAX_BYTES = "log.index.size.max.bytes";
    public static final String LOG_PREALLOCATE = "log.preallocate";
    public static final String LOG_RETENTION_MS = "log.retention.ms";
    public static final String LOG_RETENTION_MINUTES = "log.retention.minutes";
    public static final String LOG_RETENTION_HOURS = "log.retention.hours";
    public static final String LOG_RETENTION_BYTES = "log.retention.bytes";
    public static final String LOG_RETENTION_CHECK_INTERVAL_MS = "log.retention.check.interval.ms";
    public static final String LOG_CLEANUP_POLICY = "log.cleanup.policy";
    public static final String LOG_SEGMENT_DELETE_DELAY_MS = "log.segment.delete.delay.ms";
    public static final String LOG_CLEANER_DELETE_RETENTION_MS = "log.cleaner.delete.retention.ms";
    public static final String LOG_CLEANER_MIN_COMPACTION_LAG_MS = "log.cleaner.min.compaction.lag.ms";
    public static final String LOG_CLEANER_MAX_COMPACTION_LAG_MS = "log.cleaner.max.compaction.lag.ms";
    public static final String LOG_CLEANER_MIN_CLEANABLE_RATIO = "log.cleaner.min.cleanable.ratio";
    public static final String LOG_CLEANER_ENABLE = "log.cleaner.enable";
    public static final String LOG_CLEANER_THREADS = "log.cleaner.threads";
    public static final String LOG_CLEANER_DEDUPE_BUFFER_SIZE = "log.cleaner.dedupe.buffer.size";
    public static final String LOG_CLEANER_IO_BUFFER_LOAD_FACTOR = "log.cleaner.io.buffer.load.factor";
    public static final String LOG_CLEANER_IO_BUFFER_SIZE = "log.cleaner.io.buffer.size";
    public static final String LOG_CLEANER_IO_MAX_BYTES_PER_SECOND = "log.cleaner.io.max.bytes.per.second";
    public static final String LOG_CLEANER_BACKOFF_MS = "log.cleaner.backoff.ms";
    public static final String LOG_MESSAGE_TIMESTAMP_TYPE = "log.message.timestamp.type";
    public static final String LOG_MESSAGE_TIMESTAMP_BEFORE_MAX_MS = "log.message.timestamp.before.max.ms";
    public static final String LOG_MESSAGE_TIMESTAMP_AFTER_MAX_MS = "log.message.timestamp.after.max.ms";
    public static final String OFFSETS_TOPIC_NUM_PARTITIONS = "offsets.topic.num.partitions";
    public static final String OFFSETS_TOPIC_REPLICATION_FACTOR = "offsets.topic.replication.factor";
    public static final String GROUP_MIN_SESSION_TIMEOUT_MS = "group.min.session.timeout.ms";
    public static final String GROUP_MAX_SESSION_TIMEOUT_MS = "group.max.session.timeout.ms";
    public static final String GROUP_INITIAL_REBALANCE_DELAY_MS = "group.initial.rebalance.delay.ms";
    public static final String GROUP_CONSUMER_SESSION_TIMEOUT_MS = "group.consumer.session.timeout.ms";
    public static final String GROUP_CONSUMER_HEARTBEAT_INTERVAL_MS = "group.consumer.heartbeat.interval.ms";
    public static final String GROUP_MAX_SIZE = "group.max.size";
    public static final String OFFSETS_RETENTION_MINUTES = "offsets.retention.minutes";
    public static final String OFFSETS_RETENTION_CHECK_INTERVAL_MS = "offsets.retention.check.interval.ms";
    public static final String OFFSET_METADATA_MAX_BYTES = "offset.metadata.max.bytes";
    public static final String SHARDS = "runnel.shards";
    public static final String IDLE_STRATEGY = "runnel.idle.strategy";
    public static final String IDLE_SPINS = "runnel.idle.spins";
    public static final String IDLE_YIELDS = "runnel.idle.yields";
    public static final String FLUSH_POLICY = "runnel.flush.policy";
    public static final String WRITEBACK_BYTES = "runnel.writeback.bytes";
    /** 4 MiB: small enough that a writeback takes milliseconds, large enough that its fsyncs are few (results/2026-12-04-50mbps-writeback-stall). */
    public static final int DEFAULT_WRITEBACK_BYTES = 4 << 20;
    public static final String VALIDATE_COMPRESSED_RECORDS = "runnel.validate.compressed.records";

    /** Bounds that keep a typo from asking for millions of threads or files. */
    private static final int MAX_SHARDS = 1024;
    private static final int MAX_PARTITIONS = 10_000;
    private static final int MAX_IDLE_CYCLES = 1_000_000;
    /** More cleaner threads than this would only contend for the disk. */
    private static final int MAX_CLEANER_THREADS = 64;
    /** An offset map smaller than this holds too few keys to make progress on a real log. */
    private static final long MIN_DEDUPE_BUFFER_BYTES = 64 * 1024;
    /** A read buffer must hold a batch header and then some; it grows for larger batches. */
    private static final int MIN_IO_BUFFER_BYTES = 1024;

    /** Listener names and ports of a cluster are set per node; a typo must not reach for a 17-bit port. */
    private static final int MAX_PORT = 65_535;

    private static final String SERVER = "Server Basics";
    private static final String SOCKET = "Socket Server Settings";
    private static final String KRAFT = "Cluster (KRaft)";
    private static final String QUORUM = "Runnel: metadata quorum";
    private static final String REPLICATION = "Runnel: replication";
    private static final String LOG = "Log Basics";
    private static final String SEGMENTS = "Segments and Indexes";
    private static final String RETENTION = "Retention";
    private static final String GROUPS = "Group Coordinator";
    private static final String THREADING = "Runnel: threading";
    private static final String DURABILITY = "Runnel: durability";

    private static final ConfigDef DEF = new ConfigDef()
        .define(brokerKey(NODE_ID, INT).group(SERVER).defaultValue(0).validator(atLeast(0))
            .doc("The id of this broker, reported in Metadata and DescribeCluster.").build())
        .define(brokerKey(BROKER_ID, INT).group(SERVER).noDefault().validator(atLeast(0))
            .doc("Older name of node.id, used when node.id is not set.").build())
        .define(brokerKey(CLUSTER_ID, STRING).group(SERVER).noDefault().defaultText("generated")
            .doc("The cluster id reported in Metadata and DescribeCluster; the first start stores it in the log directory, later starts read it back.").build())
        .define(brokerKey(PROCESS_ROLES, LIST).group(SERVER).defaultValue("broker,controller")
            .validator(ConfigDef.LambdaValidator.with(BrokerConfigDef::checkProcessRoles, () -> "[broker, controller, broker,controller]"))
            .doc("The roles of this node, as in KRaft: broker, controller, or both. A node with neither controller.quorum.voters "
                + "nor controller.quorum.bootstrap.servers is a single broker that is its own controller (broker,controller or "
                + "broker).").build())
        .define(brokerKey(LISTENERS, LIST).group(SOCKET).defaultValue("PLAINTEXT://127.0.0.1:9092").validator(listenerList())
            .doc("Comma-separated NAME://host:port listeners, each name with its own port; listener.security.protocol.map gives "
                + "each name its security protocol, and only PLAINTEXT is implemented (TLS and SASL come later). Clients are "
                + "served on the first listener that controller.listener.names does not name; an empty host binds every "
                + "interface.").build())
        .define(brokerKey(ADVERTISED_LISTENERS, LIST).group(SOCKET).noDefault().defaultText("value of listeners").validator(listenerList())
            .doc("The addresses clients are told to connect to (Metadata), as NAME://host:port for listeners named in listeners. "
                + "Set it when clients reach the broker through another name or address. A controller listener here is the "
                + "address the controller is reached at; clients are never given it.").build())
        .define(brokerKey(LISTENER_SECURITY_PROTOCOL_MAP, STRING).group(SOCKET).noDefault()
            .defaultText(SecurityProtocolMap.KAFKA_DEFAULT + ", and the controller listener names PLAINTEXT")
            .validator(ConfigDef.LambdaValidator.with((key, value) -> SecurityProtocolMap.parse(key, (String)value), () -> "NAME:PROTOCOL,..."))
            .doc("The security protocol of each listener name, as NAME:PROTOCOL pairs. Unset, each protocol is a name of its own "
                + "and the names in controller.listener.names are PLAINTEXT too (Kafka's default, as in KRaft); once set, it must "
                + "name every listener, controller listeners included.").build())
        .define(brokerKey(INTER_BROKER_LISTENER_NAME, STRING).group(SOCKET).noDefault().defaultText("PLAINTEXT")
            .doc("The listener other brokers reach this broker on; one of the advertised listeners.").build())
        .define(brokerKey(SOCKET_REQUEST_MAX_BYTES, INT).group(SOCKET).defaultValue(104_857_600).validator(atLeast(1024))
            .doc("The largest request the broker reads; a bigger frame closes the connection.").build())
        .define(brokerKey(MAX_INCREMENTAL_FETCH_SESSION_CACHE_SLOTS, INT).group(SOCKET).defaultValue(1000).validator(atLeast(0))
            .doc("The maximum number of total incremental fetch sessions that we will maintain (Kafka's doc). The limit is divided "
                + "equally among the shards, and a connection's sessions live on its shard; 0 declines sessions, so every fetch is full.").build())
        .define(brokerKey(CONTROLLER_LISTENER_NAMES, LIST).group(KRAFT).noDefault()
            .doc("Comma-separated names of the controller's listeners. A controller serves them (they must be in listeners) with "
                + "what admin tools ask of a controller (ApiVersions, DescribeCluster, DescribeQuorum: --bootstrap-controller); "
                + "the quorum's own traffic is Aeron on UDP ports derived from the first one's port. A broker-only node reaches "
                + "the controllers through the first (it must not be in listeners).").build())
        .define(brokerKey(CONTROLLER_QUORUM_VOTERS, LIST).group(KRAFT).noDefault().defaultText("none (a single node)")
            .validator(ConfigDef.LambdaValidator.with((key, value) -> QuorumVoter.parseList(key, listOf(value)), () -> "id@host:port,..."))
            .doc("The controllers of the metadata quorum, as id@host:port entries naming each voter's first controller "
                + "listener. The quorum's own UDP ports follow from each port (see runnel.quorum.port.offset).").build())
        .define(brokerKey(CONTROLLER_QUORUM_BOOTSTRAP_SERVERS, LIST).group(KRAFT).noDefault().defaultText("none")
            .validator(ConfigDef.LambdaValidator.with((key, value) -> QuorumVoter.parseBootstrapServers(key, listOf(value)),
                () -> "host:port,..."))
            .doc("host:port of controller listeners a broker-only node reaches the quorum through, instead of controller.quorum.voters: "
                + "at start it asks them for the voters (DescribeQuorum) and derives their quorum ports as from the voter list, so "
                + "its runnel.quorum.port.offset must be the controllers'. A controller needs the voters: the quorum's membership is fixed.").build())
        .define(brokerKey(CONTROLLER_QUORUM_ELECTION_TIMEOUT_MS, INT).group(KRAFT).defaultValue(1_000).validator(atLeast(1))
            .doc("How long an election of the quorum's leader may take before a new one starts. Aeron Cluster's "
                + "candidate is given a fifth of it (at least 50 ms) to wait for the last voter before it settles for a majority.").build())
        .define(brokerKey(CONTROLLER_QUORUM_FETCH_TIMEOUT_MS, INT).group(KRAFT).defaultValue(2_000).validator(atLeast(1))
            .doc("How long a voter goes without hearing from the quorum's leader before it starts an election.").build())
        .define(brokerKey(BROKER_HEARTBEAT_INTERVAL_MS, INT).group(KRAFT).defaultValue(2_000).validator(atLeast(1))
            .doc("Time between a broker's heartbeats to the quorum; at most half of broker.session.timeout.ms.").build())
        .define(brokerKey(BROKER_SESSION_TIMEOUT_MS, INT).group(KRAFT).defaultValue(9_000).validator(atLeast(1))
            .doc("A broker whose last heartbeat is older than this is fenced: it leads no partition until it heartbeats again.").build())
        .define(brokerKey(AUTO_LEADER_REBALANCE_ENABLE, BOOLEAN).group(KRAFT).defaultValue(true)
            .doc("The quorum moves leadership back to each partition's preferred replica (its first) when that replica is in "
                + "sync and its broker's share of partitions led elsewhere is above leader.imbalance.per.broker.percentage. "
                + "Every controller must have the same setting.").build())
        .define(brokerKey(LEADER_IMBALANCE_CHECK_INTERVAL_SECONDS, LONG).group(KRAFT).defaultValue(300L).validator(atLeast(1))
            .doc("How often the quorum checks the leaders' balance.").build())
        .define(brokerKey(LEADER_IMBALANCE_PER_BROKER_PERCENTAGE, INT).group(KRAFT).defaultValue(10).validator(between(0, 100))
            .doc("The share of a broker's preferred partitions that may be led elsewhere before the balance moves them back.").build())
        .define(brokerKey(UNCLEAN_LEADER_ELECTION_ENABLE, BOOLEAN).group(KRAFT).defaultValue(false)
            .doc("The cluster's default for topics (a topic's unclean.leader.election.enable wins): a partition whose in-sync "
                + "replicas are all down is given to a live out-of-sync replica, which loses what that replica lacks, "
                + "acknowledged records among it. Off: such a partition waits, offline, for an in-sync replica to return.").build())
        .define(brokerKey(BROKER_RACK, STRING).group(KRAFT).noDefault()
            .doc("The rack of this broker: partitions place their replicas on different racks first.").build())
        .define(brokerKey(METADATA_LOG_DIR, STRING).group(KRAFT).noDefault().defaultText("the first log directory")
            .doc("Where a controller keeps the metadata quorum's log (in __quorum, unless runnel.quorum.dir says otherwise).").build())
        .define(brokerKey(QUORUM_PORT_OFFSET, INT).group(QUORUM).defaultValue(0).validator(between(-MAX_PORT, MAX_PORT))
            .doc("The quorum (Aeron Cluster) speaks UDP on five ports of each voter: its controller port P (from "
                + "controller.quorum.voters) plus this offset, and the four above (ingress, consensus, log, catch-up, archive).").build())
        .define(brokerKey(QUORUM_DIR, STRING).group(QUORUM).noDefault().defaultText("metadata.log.dir/__quorum")
            .doc("The quorum's archive, log and snapshots on this controller.").build())
        .define(brokerKey(QUORUM_AERON_DIR, STRING).group(QUORUM).noDefault().defaultText("a folder of this node under /dev/shm")
            .doc("The quorum's Aeron media driver folder (shared memory; emptied on start). Without /dev/shm it is in runnel.quorum.dir.").build())
        .define(brokerKey(QUORUM_SNAPSHOT_INTERVAL_COMMANDS, INT).group(QUORUM).defaultValue(100_000).validator(atLeast(1))
            .doc("The quorum snapshots its state after this many commands since the last snapshot, and its log keeps only what "
                + "follows the newest one (at some 130 bytes a command, about Kafka's 20 MiB between metadata snapshots).").build())
        .define(brokerKey(REPLICATION_ENABLE, BOOLEAN).group(REPLICATION).defaultValue(true)
            .doc("Topics of a cluster may have more than one replica, replicated over Aeron, with acks=all waiting for the "
                + "in-sync replicas, __consumer_offsets replicated (offsets.topic.replication.factor), and partitions "
                + "reassigned between brokers (kafka-reassign-partitions). false: every partition of a cluster has one "
                + "replica, as before replication was built. No effect on a single node.").build())
        .define(brokerKey(REPLICA_LAG_TIME_MAX_MS, LONG).group(REPLICATION).defaultValue(30_000L).validator(atLeast(1))
            .doc("A follower that has not caught up with its leader's log end for this long leaves the partition's in-sync "
                + "replicas (and the high watermark stops waiting for it); it comes back once it holds the high watermark again.").build())
        .define(brokerKey(LEADER_REPLICATION_THROTTLED_RATE, LONG).group(REPLICATION).dynamic().defaultValue(Long.MAX_VALUE)
            .defaultText("unlimited").validator(atLeast(0))
            .doc("Bytes per second this broker sends, as a leader, to the replicas its topics name in "
                + "leader.replication.throttled.replicas while they are out of the ISR (a reassignment's new replicas); "
                + "in-sync replicas are never held back. kafka-reassign-partitions --throttle sets it.").build())
        .define(brokerKey(FOLLOWER_REPLICATION_THROTTLED_RATE, LONG).group(REPLICATION).dynamic().defaultValue(Long.MAX_VALUE)
            .defaultText("unlimited").validator(atLeast(0))
            .doc("Bytes per second this broker takes in, as a follower, for the replicas its topics name in "
                + "follower.replication.throttled.replicas while they are out of the ISR. kafka-reassign-partitions --throttle sets it.").build())
        .define(brokerKey(REPLICA_ALTER_LOG_DIRS_IO_MAX_BYTES_PER_SECOND, LONG).group(REPLICATION).dynamic().defaultValue(Long.MAX_VALUE)
            .defaultText("unlimited").validator(atLeast(0))
            .doc("Kafka's throttle on moving replicas between log directories: accepted for kafka-reassign-partitions, with "
                + "nothing to hold back, since a broker keeps one log directory.").build())
        .define(brokerKey(REPLICATION_PORT, INT).group(REPLICATION).defaultValue(0).validator(between(0, MAX_PORT))
            .doc("The UDP port of this broker's replication stream, on its advertised host (0: the client listener's port "
                + "number, on UDP); the broker registers it with the quorum, where the other brokers find it.").build())
        .define(brokerKey(LOG_DIRS, STRING).group(LOG).defaultValue("./data")
            .doc("Where partition logs are stored (one directory, locked by the running broker; of a comma-separated list the first is used). A relative path resolves against the broker's working directory.").build())
        .define(brokerKey(LOG_DIR, STRING).group(LOG).noDefault()
            .doc("Used instead of log.dirs when only this is set.").build())
        .define(brokerKey(NUM_PARTITIONS, INT).group(LOG).defaultValue(1).validator(between(1, MAX_PARTITIONS))
            .doc("Partitions of a topic created without an explicit count (auto-created topics, CreateTopics with -1).").build())
        .define(brokerKey(AUTO_CREATE_TOPICS_ENABLE, BOOLEAN).group(LOG).defaultValue(true)
            .doc("Create a topic when a client asks for one that does not exist (Metadata with allow_auto_topic_creation).").build())
        .define(brokerKey(MESSAGE_MAX_BYTES, INT).group(LOG).suppliesTopicDefault(topicKey(TopicConfigDef.MAX_MESSAGE_BYTES)).build())
        .define(brokerKey(COMPRESSION_TYPE, STRING).group(LOG).suppliesTopicDefault(topicKey(TopicConfigDef.COMPRESSION_TYPE)).build())
        .define(brokerKey(COMPRESSION_GZIP_LEVEL, INT).group(LOG).suppliesTopicDefault(topicKey(TopicConfigDef.COMPRESSION_GZIP_LEVEL)).build())
        .define(brokerKey(COMPRESSION_LZ4_LEVEL, INT).group(LOG).suppliesTopicDefault(topicKey(TopicConfigDef.COMPRESSION_LZ4_LEVEL)).build())
        .define(brokerKey(COMPRESSION_ZSTD_LEVEL, INT).group(LOG).suppliesTopicDefault(topicKey(TopicConfigDef.COMPRESSION_ZSTD_LEVEL)).build())
        .define(brokerKey(LOG_SEGMENT_BYTES, INT).group(SEGMENTS).suppliesTopicDefault(topicKey(TopicConfigDef.SEGMENT_BYTES)).build())
        .define(brokerKey(LOG_ROLL_MS, LONG).group(SEGMENTS).suppliesTopicDefault(topicKey(TopicConfigDef.SEGMENT_MS)).noDefault()
            .doc("Roll the active segment once it is this old (and not empty). If set, wins over log.roll.hours.").build())
        .define(brokerKey(LOG_ROLL_HOURS, INT).group(SEGMENTS).suppliesTopicDefault(topicKey(TopicConfigDef.SEGMENT_MS), TimeUnit.HOURS)
            .validator(atLeast(1))
            .doc("Roll the active segment once it is this many hours old (and not empty), unless log.roll.ms is set.").build())
        .define(brokerKey(LOG_INDEX_INTERVAL_BYTES, INT).group(SEGMENTS).suppliesTopicDefault(topicKey(TopicConfigDef.INDEX_INTERVAL_BYTES)).build())
        .define(brokerKey(LOG_INDEX_SIZE_MAX_BYTES, INT).group(SEGMENTS).suppliesTopicDefault(topicKey(TopicConfigDef.SEGMENT_INDEX_BYTES)).build())
        .define(brokerKey(LOG_PREALLOCATE, BOOLEAN).group(SEGMENTS).suppliesTopicDefault(topicKey(TopicConfigDef.PREALLOCATE)).build())
        .define(brokerKey(LOG_RETENTION_MS, LONG).group(RETENTION).suppliesTopicDefault(topicKey(TopicConfigDef.RETENTION_MS)).noDefault()
            .doc("Delete segments whose newest record is older than this; -1: no time limit. If set, wins over the minutes and hours keys.").build())
        .define(brokerKey(LOG_RETENTION_MINUTES, INT).group(RETENTION).noDefault()
            .suppliesTopicDefault(topicKey(TopicConfigDef.RETENTION_MS), TimeUnit.MINUTES).validator(atLeast(-1))
            .doc("log.retention.ms in minutes, unless log.retention.ms is set.").build())
        .define(brokerKey(LOG_RETENTION_HOURS, INT).group(RETENTION)
            .suppliesTopicDefault(topicKey(TopicConfigDef.RETENTION_MS), TimeUnit.HOURS).validator(atLeast(-1))
            .doc("log.retention.ms in hours, unless log.retention.ms or log.retention.minutes is set.").build())
        .define(brokerKey(LOG_RETENTION_BYTES, LONG).group(RETENTION).suppliesTopicDefault(topicKey(TopicConfigDef.RETENTION_BYTES)).build())
        .define(brokerKey(LOG_RETENTION_CHECK_INTERVAL_MS, LONG).group(RETENTION).defaultValue(300_000L).validator(atLeast(1))
            .doc("How often segments are checked for deletion.").build())
        .define(brokerKey(LOG_CLEANUP_POLICY, LIST).group(RETENTION).suppliesTopicDefault(topicKey(TopicConfigDef.CLEANUP_POLICY)).build())
        .define(brokerKey(LOG_SEGMENT_DELETE_DELAY_MS, LONG).group(RETENTION).suppliesTopicDefault(topicKey(TopicConfigDef.FILE_DELETE_DELAY_MS)).build())
        .define(brokerKey(LOG_CLEANER_DELETE_RETENTION_MS, LONG).group(RETENTION)
            .suppliesTopicDefault(topicKey(TopicConfigDef.DELETE_RETENTION_MS)).build())
        .define(brokerKey(LOG_CLEANER_MIN_COMPACTION_LAG_MS, LONG).group(RETENTION)
            .suppliesTopicDefault(topicKey(TopicConfigDef.MIN_COMPACTION_LAG_MS)).build())
        .define(brokerKey(LOG_CLEANER_MAX_COMPACTION_LAG_MS, LONG).group(RETENTION)
            .suppliesTopicDefault(topicKey(TopicConfigDef.MAX_COMPACTION_LAG_MS)).build())
        .define(brokerKey(LOG_CLEANER_MIN_CLEANABLE_RATIO, DOUBLE).group(RETENTION)
            .suppliesTopicDefault(topicKey(TopicConfigDef.MIN_CLEANABLE_DIRTY_RATIO)).build())
        .define(brokerKey(LOG_CLEANER_ENABLE, BOOLEAN).group(RETENTION).defaultValue(true)
            .doc("Run the log cleaner, which compacts topics whose cleanup.policy includes compact. Off, they keep every record.").build())
        .define(brokerKey(LOG_CLEANER_THREADS, INT).group(RETENTION).dynamic().defaultValue(1).validator(between(1, MAX_CLEANER_THREADS))
            .doc("Threads of the log cleaner (never shard threads); each cleans one log at a time.").build())
        .define(brokerKey(LOG_CLEANER_DEDUPE_BUFFER_SIZE, LONG).group(RETENTION).dynamic().defaultValue(128L * 1024 * 1024)
            .validator(atLeast(MIN_DEDUPE_BUFFER_BYTES))
            .doc("Off-heap memory for the cleaners' key maps (24 bytes per key), shared out equally among the threads. A clean "
                + "that fills its map stops there; the next one goes on.").build())
        .define(brokerKey(LOG_CLEANER_IO_BUFFER_LOAD_FACTOR, DOUBLE).group(RETENTION).dynamic().defaultValue(0.9)
            .validator(check(value -> (Double)value > 0 && (Double)value <= 1 ? null : "must be in (0, 1]", "(0, 1]"))
            .doc("How full a cleaner's key map may get: fuller maps hold more keys and probe longer.").build())
        .define(brokerKey(LOG_CLEANER_IO_BUFFER_SIZE, INT).group(RETENTION).dynamic().defaultValue(512 * 1024)
            .validator(atLeast(MIN_IO_BUFFER_BYTES))
            .doc("I/O buffer bytes of all cleaner threads: each thread has half of its share to read into and half to write from "
                + "(grown for a larger batch).").build())
        .define(brokerKey(LOG_CLEANER_IO_MAX_BYTES_PER_SECOND, DOUBLE).group(RETENTION).dynamic().defaultValue(Double.MAX_VALUE)
            .defaultText("unlimited").validator(check(value -> (Double)value > 0 ? null : "must be positive", "(0, ...]"))
            .doc("Bytes the cleaner threads together read plus write per second, at most, so that produce latency holds while they work.").build())
        .define(brokerKey(LOG_CLEANER_BACKOFF_MS, LONG).group(RETENTION).dynamic().defaultValue(15_000L).validator(atLeast(0))
            .doc("How long a cleaner thread sleeps when no log needs cleaning.").build())
        .define(brokerKey(LOG_MESSAGE_TIMESTAMP_TYPE, STRING).group(LOG).suppliesTopicDefault(topicKey(TopicConfigDef.MESSAGE_TIMESTAMP_TYPE)).build())
        .define(brokerKey(LOG_MESSAGE_TIMESTAMP_BEFORE_MAX_MS, LONG).group(LOG)
            .suppliesTopicDefault(topicKey(TopicConfigDef.MESSAGE_TIMESTAMP_BEFORE_MAX_MS)).build())
        .define(brokerKey(LOG_MESSAGE_TIMESTAMP_AFTER_MAX_MS, LONG).group(LOG)
            .suppliesTopicDefault(topicKey(TopicConfigDef.MESSAGE_TIMESTAMP_AFTER_MAX_MS)).build())
        .define(brokerKey(OFFSETS_TOPIC_NUM_PARTITIONS, INT).group(GROUPS).defaultValue(50).validator(between(1, MAX_PARTITIONS))
            .doc("Partitions of __consumer_offsets; a group is coordinated by the shard that owns its partition. Do not change it once groups exist.").build())
        .define(brokerKey(OFFSETS_TOPIC_REPLICATION_FACTOR, SHORT).group(GROUPS).defaultValue((short)3).validator(between(1, 16))
            .doc("Replicas of each __consumer_offsets partition in a cluster that replicates partitions (runnel.replication.enable); "
                + "its creation waits (COORDINATOR_NOT_AVAILABLE) until this many brokers are up. One replica on a single node or "
                + "without replication, whatever this says.").build())
        .define(brokerKey(GROUP_MIN_SESSION_TIMEOUT_MS, INT).group(GROUPS).defaultValue(6_000).validator(atLeast(1))
            .doc("Shortest session timeout a classic-protocol member may ask for.").build())
        .define(brokerKey(GROUP_MAX_SESSION_TIMEOUT_MS, INT).group(GROUPS).defaultValue(1_800_000).validator(atLeast(1))
            .doc("Longest session timeout a classic-protocol member may ask for; at least group.min.session.timeout.ms.").build())
        .define(brokerKey(GROUP_INITIAL_REBALANCE_DELAY_MS, INT).group(GROUPS).defaultValue(3_000).validator(atLeast(0))
            .doc("A new classic group waits this long for more members before its first assignment.").build())
        .define(brokerKey(GROUP_CONSUMER_SESSION_TIMEOUT_MS, INT).group(GROUPS).defaultValue(45_000).validator(atLeast(1))
            .doc("Session timeout of members of consumer-protocol (KIP-848) groups.").build())
        .define(brokerKey(GROUP_CONSUMER_HEARTBEAT_INTERVAL_MS, INT).group(GROUPS).defaultValue(5_000).validator(atLeast(1))
            .doc("Heartbeat interval given to members of consumer-protocol (KIP-848) groups.").build())
        .define(brokerKey(GROUP_MAX_SIZE, INT).group(GROUPS).defaultValue(Integer.MAX_VALUE).defaultText("unlimited").validator(atLeast(1))
            .doc("Most members of one classic group.").build())
        .define(brokerKey(OFFSETS_RETENTION_MINUTES, INT).group(GROUPS).defaultValue(7 * 24 * 60).validator(atLeast(1))
            .doc("Committed offsets of a group with no members expire after this many minutes.").build())
        .define(brokerKey(OFFSETS_RETENTION_CHECK_INTERVAL_MS, LONG).group(GROUPS).defaultValue(600_000L).validator(atLeast(1))
            .doc("How often expired offsets are looked for.").build())
        .define(brokerKey(OFFSET_METADATA_MAX_BYTES, INT).group(GROUPS).defaultValue(4096).validator(atLeast(0))
            .doc("Longest metadata string an offset commit may carry.").build())
        .define(brokerKey(SHARDS, INT).group(THREADING).noDefault().defaultText("available processors").validator(between(1, MAX_SHARDS))
            .doc("Number of shards: threads that each own a set of partitions and connections, one per core.").build())
        .define(brokerKey(IDLE_STRATEGY, STRING).group(THREADING).defaultValue("backoff")
            .validator(check(value -> parses(() -> IdleStrategyType.parse((String)value), "must be backoff or busy-spin"), "[backoff, busy-spin]"))
            .doc("What an idle shard does. backoff: spin, then yield, then block in the shard's selector until woken. "
                + "busy-spin: never sleep; lowest latency, one core at 100% per shard (dedicated machines only).").build())
        .define(brokerKey(IDLE_SPINS, INT).group(THREADING).defaultValue(ReactorIdleStrategy.DEFAULT_SPINS).validator(between(0, MAX_IDLE_CYCLES))
            .doc("backoff only: the most empty duty cycles a shard spins through (each polls its sockets) before it yields. "
                + "More spinning shortens wake-up latency and costs CPU (see tuning-guides/per-core.md). The spin and yield phases "
                + "adapt: halved each time they end without work (down to one spin), doubled back each time they find some.").build())
        .define(brokerKey(IDLE_YIELDS, INT).group(THREADING).defaultValue(ReactorIdleStrategy.DEFAULT_YIELDS).validator(between(0, MAX_IDLE_CYCLES))
            .doc("backoff only: the most empty duty cycles a shard yields through, after spinning, before it blocks in its selector.").build())
        .define(brokerKey(FLUSH_POLICY, STRING).group(DURABILITY).defaultValue("pagecache")
            .validator(check(value -> parses(() -> FlushPolicy.parse((String)value), "must be pagecache or fsync"), "[pagecache, fsync]"))
            .doc("When appended data must reach the disk before a produce is acknowledged. pagecache: once written to the page cache, "
                + "like Kafka; survives a process crash, not a power loss. fsync: group commit; each shard fsyncs what it appended "
                + "in a cycle, then acknowledges.").build())
        .define(brokerKey(WRITEBACK_BYTES, INT).group(DURABILITY).defaultValue(DEFAULT_WRITEBACK_BYTES).validator(atLeast(0))
            .doc("pagecache policy only: bytes appended to a partition's active segment after which a background thread has the "
                + "kernel write them to disk (fdatasync), so that dirty pages never pile up for the kernel's flusher, whose writeback of "
                + "30 s of appends at once stalls appends for up to hundreds of ms. Acknowledgements do not wait for it. 0: leave "
                + "writeback to the kernel, as Kafka does.").build())
        .define(brokerKey(VALIDATE_COMPRESSED_RECORDS, BOOLEAN).group(DURABILITY).defaultValue(true)
            .doc("Decompress compressed batches on produce to check their record count and framing, as Kafka does. Stored bytes "
                + "are never recompressed either way; false saves CPU, and a malformed compressed batch then reaches the log.").build());

    private BrokerConfigDef()
    {
    }

    public static ConfigDef def()
    {
        return DEF;
    }

    /** Every broker key, in declaration order. */
    public static List<DeclaredKey> keys()
    {
        return DeclaredKey.keysOf(DEF);
    }

    /** @return the declared broker key, or null if there is none of that name. */
    public static DeclaredKey key(final String name)
    {
        return DeclaredKey.keyOf(DEF, name);
    }

    /** The broker keys that supply {@code topicKey}'s default, highest precedence first (empty if none). */
    public static List<DeclaredKey> synonymsOf(final String topicKey)
    {
        final List<DeclaredKey> synonyms = new ArrayList<>();
        for (final DeclaredKey key : keys())
        {
            if (key.topicSynonym() != null && key.topicSynonym().name.equals(topicKey))
            {
                synonyms.add(key);
            }
        }
        return synonyms;
    }

    private static ConfigDef.Validator listenerList()
    {
        return ConfigDef.LambdaValidator.with((key, value) -> ListenerList.checkSyntax(key, listOf(value)), () -> "NAME://host:port,...");
    }

    /** process.roles must name KRaft's roles, each once. */
    private static void checkProcessRoles(final String key, final Object value)
    {
        final List<String> roles = listOf(value);
        final String refusal;
        if (roles == null || roles.isEmpty())
        {
            refusal = "a node has the broker role, the controller role, or both";
        }
        else if (roles.stream().anyMatch(role -> ProcessRole.forConfigName(role) == null))
        {
            refusal = "the roles are broker and controller";
        }
        else
        {
            refusal = roles.stream().distinct().count() == roles.size() ? null : "a role is named twice";
        }
        if (refusal != null)
        {
            throw new ConfigException(key, roles == null ? null : String.join(",", roles), refusal);
        }
    }

    @SuppressWarnings("unchecked")
    private static List<String> listOf(final Object value)
    {
        return (List<String>)value;
    }

    private static DeclaredKey.Builder brokerKey(final String name, final ConfigDef.Type type)
    {
        return DeclaredKey.key(name, type);
    }

    private static DeclaredKey topicKey(final String name)
    {
        return TopicConfigDef.key(name);
    }

    /** @return null if {@code parse} accepts the value, else {@code refusal}. */
    private static String parses(final Runnable parse, final String refusal)
    {
        try
        {
            parse.run();
            return null;
        }
        catch (final IllegalArgumentException ex)
        {
            return refusal;
        }
    }
}
