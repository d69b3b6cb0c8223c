package io.runnel.coordinator.group;

import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.coordinator.common.runtime.CoordinatorRecord;

/**
 * What a handler (or a timer) decided, as in Kafka's {@code CoordinatorResult}: the records to
 * append, the response, and the held responses of other requests it releases. The handler has
 * changed no group state; the coordinator appends the records, replays them (the only way state
 * changes) and, once they are durable, runs the completions and delivers the response.
 *
 * @param <T> the response type; null while the response is held (a JoinGroup waiting for its rebalance)
 */
final class CoordinatorResult<T>
{
    /** A record and the group whose {@code __consumer_offsets} partition it goes to. */
    record GroupRecord(String groupId, CoordinatorRecord record)
    {
    }

    private final List<GroupRecord> records = new ArrayList<>();
    private final List<Runnable> completions = new ArrayList<>();
    private Runnable onAppendFailure = () -> { };
    private T response;

    static <T> CoordinatorResult<T> of(final T response)
    {
        return new CoordinatorResult<T>().respond(response);
    }

    CoordinatorResult<T> record(final String groupId, final CoordinatorRecord record)
    {
        records.add(new GroupRecord(groupId, record));
        return this;
    }

    CoordinatorResult<T> respond(final T response)
    {
        this.response = response;
        return this;
    }

    /** Work that must wait until the records are durable: typically a held response to another member. */
    CoordinatorResult<T> then(final Runnable completion)
    {
        completions.add(completion);
        return this;
    }

    /** What to do instead of the completions if the records cannot be appended (nothing was replayed). */
    CoordinatorResult<T> onAppendFailure(final Runnable failure)
    {
        this.onAppendFailure = failure;
        return this;
    }

    List<GroupRecord> records()
    {
        return records;
    }

    T response()
    {
        return response;
    }

    void complete()
    {
        for (final Runnable completion : completions)
        {
            completion.run();
        }
    }

    void fail()
    {
        onAppendFailure.run();
    }
}
