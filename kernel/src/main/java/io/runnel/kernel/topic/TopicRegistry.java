package io.runnel.kernel.topic;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

import io.runnel.kernel.files.AtomicFile;
import io.runnel.kernel.threading.ShardThreads;
import org.apache.kafka.common.Uuid;

/**
 * The single-node metadata store: which topics exist, their ids, partition counts and config
 * overrides. Readers on any thread take the current immutable {@link Snapshot}; only the conductor
 * changes it, persisting each change (one properties file per topic, written atomically) before
 * publishing it.
 * The cluster issue replaces the persistence with the Aeron Cluster quorum behind the same API.
 */
public final class TopicRegistry
{
    /** Topic names: Kafka's legal characters and length. */
    public static final int MAX_TOPIC_NAME_LENGTH = 249;
    private static final String STORE_DIR = ".runnel-topics";
    private static final String SUFFIX = ".properties";
    private static final String TEMP_SUFFIX = AtomicFile.TEMP_SUFFIX;
    /** The longest file name ext4, xfs and most file systems take, in bytes. */
    private static final int MAX_FILE_NAME_BYTES = 255;
    /** Prefix of a file named by topic id; '=' is not legal in a topic name, so no topic's file can look like one. */
    private static final String ID_FILE_PREFIX = "id=";

    /** An immutable view of every topic, by name and by id. */
    public record Snapshot(Map<String, Topic> byName, Map<Uuid, Topic> byId)
    {
        public Topic topic(final String name)
        {
            return byName.get(name);
        }

        public Topic topic(final Uuid id)
        {
            return byId.get(id);
        }

        public Collection<Topic> topics()
        {
            return byName.values();
        }
    }

    private final Path storeDir;
    private final PartitionPlacement placement;
    /** A single node stores its topics here; a cluster member's are the quorum's, and it keeps none on disk. */
    private final boolean persistent;
    private volatile Snapshot snapshot = new Snapshot(Map.of(), Map.of());

    public TopicRegistry(final Path logDir, final PartitionPlacement placement)
    {
        this(logDir, placement, true);
    }

    /**
     * @param persistent whether this registry is the topics' store (a single node), or a view of
     *                   the metadata quorum's that is filled from it at start-up (a cluster member)
     */
    public TopicRegistry(final Path logDir, final PartitionPlacement placement, final boolean persistent)
    {
        this.storeDir = logDir.resolve(STORE_DIR);
        this.placement = placement;
        this.persistent = persistent;
    }

    public boolean isPersistent()
    {
        return persistent;
    }

    /** Which node this registry's placement puts partitions on (node.id). */
    public int localNodeId()
    {
        return placement.localNodeId();
    }

    public Snapshot snapshot()
    {
        return snapshot;
    }

    /**
     * Reads every persisted topic (a single node), or nothing (a cluster member: it is given the
     * quorum's topics by {@link #loadFromQuorum}). Called once at start-up, before any shard runs.
     */
    public void load()
    {
        if (!persistent)
        {
            return;
        }
        final Map<String, Topic> byName = new TreeMap<>();
        try
        {
            Files.createDirectories(storeDir);
            try (var files = Files.newDirectoryStream(storeDir, "*" + SUFFIX))
            {
                for (final Path file : files)
                {
                    final Properties properties = new Properties();
                    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8))
                    {
                        properties.load(reader);
                    }
                    final String name = properties.getProperty("name");
                    final Map<String, String> configs = new HashMap<>();
                    for (final String key : properties.stringPropertyNames())
                    {
                        if (key.startsWith("config."))
                        {
                            configs.put(key.substring("config.".length()), properties.getProperty(key));
                        }
                    }
                    byName.put(name, new Topic(name, Uuid.fromString(properties.getProperty("id")), configs,
                        Integer.parseInt(properties.getProperty("partitions")), placement));
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot load topics from " + storeDir, ex);
        }
        publish(byName);
    }

    /**
     * The quorum's topics, as its first image at start-up names them, before any shard runs: the
     * logs on disk are then opened for these, and directories of no topic here are orphans.
     */
    public void loadFromQuorum(final Collection<Topic> topics)
    {
        final Map<String, Topic> byName = new TreeMap<>();
        for (final Topic topic : topics)
        {
            byName.put(topic.name(), topic);
        }
        publish(byName);
    }

    /** A topic as the metadata quorum describes it: its id and leaderships are the quorum's. Not yet visible. */
    public Topic fromQuorum(final String name, final Uuid id, final Map<String, String> configs, final List<Leadership> leaderships)
    {
        return new Topic(name, id, configs, leaderships, placement);
    }

    /**
     * A new topic with a fresh id, not yet visible: the conductor opens its logs and hands them to
     * their shards first, then {@link #publish}es it. Conductor thread only.
     */
    public Topic prepare(final String name, final int partitions, final Map<String, String> configs)
    {
        Uuid id = Uuid.randomUuid();
        while (snapshot.topic(id) != null || Uuid.RESERVED.contains(id))
        {
            id = Uuid.randomUuid();
        }
        return new Topic(name, id, configs, partitions, placement);
    }

    /** The topic with partitions added as the quorum leads them, not yet visible (see {@link #prepare}). */
    public Topic prepareGrowth(final Topic existing, final List<Leadership> leaderships)
    {
        return existing.withPartitions(leaderships, placement);
    }

    /** The topic with partitions added, not yet visible (see {@link #prepare}). */
    public Topic prepareGrowth(final Topic existing, final int newCount)
    {
        return existing.withPartitions(newCount, placement);
    }

    /** The topic with these config overrides instead of its own, not yet visible: {@link #publish} persists it. */
    public Topic prepareConfigs(final Topic existing, final Map<String, String> configs)
    {
        return existing.withConfigs(configs);
    }

    /** Persists a new, grown or reconfigured topic, then makes it visible to every thread. Conductor thread only. */
    public void publish(final Topic topic)
    {
        ShardThreads.refuseOnShardThread("persisting topic " + topic.name());
        persist(topic);
        final Map<String, Topic> byName = new HashMap<>(snapshot.byName());
        byName.put(topic.name(), topic);
        publish(byName);
    }

    /**
     * Removes a topic from the store and from view. Conductor thread only.
     *
     * @return the removed topic, or null if it did not exist.
     */
    public Topic delete(final String name)
    {
        ShardThreads.refuseOnShardThread("deleting topic " + name);
        final Topic existing = snapshot.topic(name);
        if (existing == null)
        {
            return null;
        }
        try
        {
            if (persistent)
            {
                Files.deleteIfExists(storeDir.resolve(fileName(existing)));
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot delete topic " + name, ex);
        }
        final Map<String, Topic> byName = new HashMap<>(snapshot.byName());
        byName.remove(name);
        publish(byName);
        return existing;
    }

    private void publish(final Map<String, Topic> byName)
    {
        final Map<Uuid, Topic> byId = new HashMap<>();
        for (final Topic topic : byName.values())
        {
            byId.put(topic.id(), topic);
        }
        snapshot = new Snapshot(Map.copyOf(byName), Map.copyOf(byId));
    }

    private void persist(final Topic topic)
    {
        if (!persistent)
        {
            return;
        }
        final Properties properties = new Properties();
        properties.setProperty("name", topic.name());
        properties.setProperty("id", topic.id().toString());
        properties.setProperty("partitions", Integer.toString(topic.partitionCount()));
        topic.configs().forEach((key, value) -> properties.setProperty("config." + key, value));
        try
        {
            Files.createDirectories(storeDir);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create " + storeDir, ex);
        }
        AtomicFile.write(storeDir.resolve(fileName(topic)), properties, "Runnel topic metadata", "topic " + topic.name());
    }

    /**
     * A topic's file is named after it: topic names are [a-zA-Z0-9._-], safe file names as they
     * are. Names too long for that (Kafka allows 249 characters; with the suffixes a file name
     * would pass 255 bytes) name the file by topic id instead. The name inside the file is what
     * loading reads, so either kind loads the same.
     */
    private static String fileName(final Topic topic)
    {
        final String byName = topic.name() + SUFFIX;
        return byName.length() + TEMP_SUFFIX.length() <= MAX_FILE_NAME_BYTES ? byName : ID_FILE_PREFIX + topic.id() + SUFFIX;
    }

    /** Kafka's rule: 1 to 249 characters of [a-zA-Z0-9._-], and not "." or "..". */
    public static boolean isLegalName(final String name)
    {
        if (name == null || name.isEmpty() || name.length() > MAX_TOPIC_NAME_LENGTH || name.equals(".") || name.equals(".."))
        {
            return false;
        }
        for (int i = 0; i < name.length(); i++)
        {
            final char c = name.charAt(i);
            final boolean legal = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
            if (!legal)
            {
                return false;
            }
        }
        return true;
    }
}
