package io.runnel.cluster.metadata;

/**
 * Kafka's {@code unclean.leader.election.enable}: whether a partition that has no in-sync replica
 * left to lead may be given to a live replica that is not in sync, trading what that replica lacks
 * of the last leader's log (acknowledged records among it) for availability. The topic's override
 * wins over the cluster's default (the controllers' broker setting). Off by default, as in Kafka.
 */
record UncleanElection(boolean clusterDefault)
{
    static final String KEY = "unclean.leader.election.enable";
    static final UncleanElection NEVER = new UncleanElection(false);

    boolean allowedFor(final MetadataImage.Topic topic)
    {
        final String override = topic.configs().get(KEY);
        return override == null ? clusterDefault : Boolean.parseBoolean(override.trim());
    }
}
