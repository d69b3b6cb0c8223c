package io.runnel.coordinator.group;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.apache.kafka.common.Uuid;

/**
 * Server-side assignors of the KIP-848 consumer protocol: {@code uniform} (the default: spreads
 * all subscribed partitions evenly and keeps partitions where they are when that stays even) and
 * {@code range} (per topic, contiguous ranges in member order, like the classic RangeAssignor).
 */
final class ServerAssignor
{
    static final String UNIFORM = "uniform";
    static final String RANGE = "range";

    /** What the assignor sees of a member. */
    record MemberSubscription(String memberId, Set<Uuid> topics, Assignment current)
    {
    }

    private ServerAssignor()
    {
    }

    static boolean isKnown(final String name)
    {
        return UNIFORM.equals(name) || RANGE.equals(name);
    }

    /** @param partitionCounts partitions of every subscribed topic that exists */
    static Map<String, Assignment> assign(final String name, final List<MemberSubscription> members, final Map<Uuid, Integer> partitionCounts)
    {
        return RANGE.equals(name) ? range(members, partitionCounts) : uniform(members, partitionCounts);
    }

    private static Map<String, Assignment> range(final List<MemberSubscription> members, final Map<Uuid, Integer> partitionCounts)
    {
        final Map<String, Assignment> result = emptyResult(members);
        for (final Map.Entry<Uuid, Integer> topic : new TreeMap<>(partitionCounts).entrySet())
        {
            final List<String> subscribers = new ArrayList<>();
            for (final MemberSubscription member : members)
            {
                if (member.topics().contains(topic.getKey()))
                {
                    subscribers.add(member.memberId());
                }
            }
            if (subscribers.isEmpty())
            {
                continue;
            }
            subscribers.sort(String::compareTo);
            final int count = topic.getValue();
            final int per = count / subscribers.size();
            final int extra = count % subscribers.size();
            int next = 0;
            for (int i = 0; i < subscribers.size(); i++)
            {
                final int take = per + (i < extra ? 1 : 0);
                for (int p = next; p < next + take; p++)
                {
                    result.get(subscribers.get(i)).add(topic.getKey(), p);
                }
                next += take;
            }
        }
        return result;
    }

    private static Map<String, Assignment> uniform(final List<MemberSubscription> members, final Map<Uuid, Integer> partitionCounts)
    {
        final Map<String, Assignment> result = emptyResult(members);
        // Each topic is shared among its subscribers; quota per member per topic keeps it even.
        for (final Map.Entry<Uuid, Integer> topic : new TreeMap<>(partitionCounts).entrySet())
        {
            final List<MemberSubscription> subscribers = new ArrayList<>();
            for (final MemberSubscription member : members)
            {
                if (member.topics().contains(topic.getKey()))
                {
                    subscribers.add(member);
                }
            }
            if (subscribers.isEmpty())
            {
                continue;
            }
            subscribers.sort((a, b) -> a.memberId().compareTo(b.memberId()));
            final int count = topic.getValue();
            final int min = count / subscribers.size();
            int withExtra = count % subscribers.size();
            final Map<String, Integer> quota = new HashMap<>();
            final boolean[] taken = new boolean[count];
            // Sticky pass: each member keeps what it has, up to its quota.
            for (final MemberSubscription member : subscribers)
            {
                final Set<Integer> current = member.current().partitions.getOrDefault(topic.getKey(), new java.util.TreeSet<>());
                int kept = 0;
                final int allowed = min + (withExtra > 0 && current.size() > min ? 1 : 0);
                if (allowed > min)
                {
                    withExtra--;
                }
                for (final int p : current)
                {
                    if (p < count && !taken[p] && kept < allowed)
                    {
                        taken[p] = true;
                        result.get(member.memberId()).add(topic.getKey(), p);
                        kept++;
                    }
                }
                quota.put(member.memberId(), allowed);
            }
            // Members still below their share take the free partitions in order.
            int next = 0;
            for (final MemberSubscription member : subscribers)
            {
                int target = quota.get(member.memberId());
                if (target == min && withExtra > 0)
                {
                    target++;
                    withExtra--;
                }
                final Assignment assignment = result.get(member.memberId());
                while (assignment.partitions.getOrDefault(topic.getKey(), new java.util.TreeSet<>()).size() < target && next < count)
                {
                    if (!taken[next])
                    {
                        taken[next] = true;
                        assignment.add(topic.getKey(), next);
                    }
                    next++;
                }
            }
        }
        return result;
    }

    private static Map<String, Assignment> emptyResult(final List<MemberSubscription> members)
    {
        final Map<String, Assignment> result = new HashMap<>();
        for (final MemberSubscription member : members)
        {
            result.put(member.memberId(), new Assignment());
        }
        return result;
    }
}
