package io.runnel.kernel.shard;

/**
 * Work one shard hands to another through the receiver's inbox: executed on the receiver's thread,
 * which may then answer through the sender's inbox. Nothing else crosses between shards.
 */
@FunctionalInterface
public interface ShardCommand
{
    void execute(Shard shard);
}
