package io.runnel.kernel.log;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What the cleaner may know of one log, copied by its owning shard ({@link PartitionLog#cleanableSegments}):
 * the sealed, wholly committed segments (immutable from now on; retention may still take them away),
 * the producers whose last batch must survive a clean, and the settings. The cleaner reads the
 * segments' files through its own channels and never calls a {@link Segment} it finds here: each
 * is carried only so that the owner can check, at the swap, that its log still holds exactly it.
 *
 * @param logStartOffset         the log's start offset
 * @param firstUncleanableOffset base offset of the first segment not listed (the active one, or one not yet committed)
 * @param segments               the sealed segments, oldest first
 * @param producerLastOffsets    producer id → last offset of its newest batch in the log
 * @param config                 the log's settings
 */
public record CleanableSegments(long logStartOffset, long firstUncleanableOffset, List<Sealed> segments,
    Map<Long, Long> producerLastOffsets, LogConfig config)
{
    /**
     * One sealed segment as the owner saw it.
     *
     * @param segment      the owner's object: an identity for the swap, never to be called by the cleaner
     * @param baseOffset   its first offset
     * @param nextOffset   the offset after its last batch
     * @param size         its bytes
     * @param logFile      its .log file under the name it had then
     * @param maxTimestamp its newest batch timestamp, -1 if none
     */
    public record Sealed(Segment segment, long baseOffset, long nextOffset, int size, Path logFile, long maxTimestamp)
    {
    }
}
