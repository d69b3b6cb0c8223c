package io.runnel.kernel.log;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * The replicas of a topic whose replication is throttled (KIP-73), as the topic keys
 * {@code leader.replication.throttled.replicas} and {@code follower.replication.throttled.replicas}
 * name them: {@code partition:brokerId} pairs, or {@code *} for every replica of the topic.
 * {@code kafka-reassign-partitions --throttle} sets them on the topics it moves, and takes them away
 * again with {@code --verify} once the moves are done.
 */
public final class ThrottledReplicas
{
    public static final ThrottledReplicas NONE = new ThrottledReplicas(false, Set.of());
    private static final ThrottledReplicas ALL = new ThrottledReplicas(true, Set.of());
    private static final String WILDCARD = "*";

    private final boolean all;
    /** partition:broker pairs as longs (partition in the high half). */
    private final Set<Long> replicas;

    private ThrottledReplicas(final boolean all, final Set<Long> replicas)
    {
        this.all = all;
        this.replicas = replicas;
    }

    /** From the key's value as {@link #VALIDATOR} accepted it. */
    public static ThrottledReplicas of(final List<?> entries)
    {
        if (entries.isEmpty())
        {
            return NONE;
        }
        if (entries.size() == 1 && WILDCARD.equals(entries.get(0).toString().trim()))
        {
            return ALL;
        }
        final Set<Long> replicas = new HashSet<>();
        for (final Object entry : entries)
        {
            final String[] pair = entry.toString().trim().split(":");
            replicas.add(pack(Integer.parseInt(pair[0].trim()), Integer.parseInt(pair[1].trim())));
        }
        return new ThrottledReplicas(false, Set.copyOf(replicas));
    }

    /** Whether replica {@code brokerId} of {@code partition} is throttled. */
    public boolean covers(final int partition, final int brokerId)
    {
        return all || (!replicas.isEmpty() && replicas.contains(pack(partition, brokerId)));
    }

    public boolean isEmpty()
    {
        return !all && replicas.isEmpty();
    }

    private static long pack(final int partition, final int brokerId)
    {
        return ((long)partition << 32) | (brokerId & 0xFFFF_FFFFL);
    }

    @Override
    public boolean equals(final Object other)
    {
        return other instanceof ThrottledReplicas that && all == that.all && replicas.equals(that.replicas);
    }

    @Override
    public int hashCode()
    {
        return Boolean.hashCode(all) * 31 + replicas.hashCode();
    }

    @Override
    public String toString()
    {
        return all ? WILDCARD : replicas.toString();
    }

    /** partition:broker, both ints (Kafka asks for digits only). */
    private static boolean isPair(final String entry)
    {
        if (!entry.matches("[0-9]+:[0-9]+"))
        {
            return false;
        }
        final String[] pair = entry.split(":");
        try
        {
            Integer.parseInt(pair[0]);
            Integer.parseInt(pair[1]);
            return true;
        }
        catch (final NumberFormatException ex)
        {
            return false;
        }
    }

    /** Kafka's check (ThrottledReplicaListValidator), with its words: {@code *} alone, or partition:broker pairs. */
    public static final ConfigDef.Validator VALIDATOR = new ConfigDef.Validator()
    {
        @Override
        public void ensureValid(final String name, final Object value)
        {
            final List<?> entries = (List<?>)value;
            if (entries == null || entries.isEmpty())
            {
                return;
            }
            final boolean wildcard = entries.size() == 1 && WILDCARD.equals(entries.get(0).toString().trim());
            if (!wildcard && !entries.stream().allMatch(entry -> isPair(entry.toString().trim())))
            {
                throw new ConfigException(name, value, name + " must be the literal '*' or a list of replicas in the following format: "
                    + "[partitionId]:[brokerId],[partitionId]:[brokerId],...");
            }
        }

        @Override
        public String toString()
        {
            return "[partitionId]:[brokerId],[partitionId]:[brokerId],...";
        }
    };
}
