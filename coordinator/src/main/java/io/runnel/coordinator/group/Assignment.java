package io.runnel.coordinator.group;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.apache.kafka.common.Uuid;

/** Partitions per topic id: a member's current or target assignment in a KIP-848 group. */
final class Assignment
{
    final Map<Uuid, TreeSet<Integer>> partitions = new TreeMap<>();

    static Assignment copyOf(final Assignment other)
    {
        final Assignment copy = new Assignment();
        other.partitions.forEach((topic, set) -> copy.partitions.put(topic, new TreeSet<>(set)));
        return copy;
    }

    void add(final Uuid topic, final int partition)
    {
        partitions.computeIfAbsent(topic, t -> new TreeSet<>()).add(partition);
    }

    boolean contains(final Uuid topic, final int partition)
    {
        final Set<Integer> set = partitions.get(topic);
        return set != null && set.contains(partition);
    }

    int size()
    {
        int size = 0;
        for (final Set<Integer> set : partitions.values())
        {
            size += set.size();
        }
        return size;
    }

    /** The partitions of this assignment that {@code other} also has. */
    Assignment intersect(final Assignment other)
    {
        final Assignment result = new Assignment();
        partitions.forEach((topic, set) -> set.forEach(p ->
        {
            if (other.contains(topic, p))
            {
                result.add(topic, p);
            }
        }));
        return result;
    }

    /** True if every partition here is also in {@code other}. */
    boolean isSubsetOf(final Assignment other)
    {
        for (final Map.Entry<Uuid, TreeSet<Integer>> entry : partitions.entrySet())
        {
            for (final int p : entry.getValue())
            {
                if (!other.contains(entry.getKey(), p))
                {
                    return false;
                }
            }
        }
        return true;
    }

    @Override
    public boolean equals(final Object o)
    {
        if (!(o instanceof Assignment other))
        {
            return false;
        }
        final Map<Uuid, TreeSet<Integer>> a = new TreeMap<>(partitions);
        final Map<Uuid, TreeSet<Integer>> b = new TreeMap<>(other.partitions);
        a.values().removeIf(Set::isEmpty);
        b.values().removeIf(Set::isEmpty);
        return a.equals(b);
    }

    @Override
    public int hashCode()
    {
        return partitions.hashCode();
    }
}
