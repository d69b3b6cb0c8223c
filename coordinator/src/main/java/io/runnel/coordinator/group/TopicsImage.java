package io.runnel.coordinator.group;

import org.apache.kafka.common.Uuid;

/**
 * The topics as the coordinator needs to see them: to validate commits and to compute KIP-848
 * assignments. An image is immutable; a new one appears when topics change, which is how the
 * coordinator notices that subscribed topics were created, deleted or grew.
 */
interface TopicsImage
{
    /** @return the topic's id, or null if there is no such topic */
    Uuid topicId(String name);

    /** @return the topic's name, or null if there is no such topic */
    String topicName(Uuid id);

    /** @return the topic's partition count, or -1 if there is no such topic */
    int partitionCount(String name);
}
