package io.runnel.broker.it.group;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.runnel.broker.testing.TestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static io.runnel.broker.it.group.GroupTesting.awaitCondition;
import static io.runnel.broker.it.group.GroupTesting.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The stock {@code kafka-consumer-groups} tool (Kafka's {@code ConsumerGroupCommand}, run in
 * this JVM) against Runnel: {@code --list}, {@code --describe} with its LAG column, and
 * {@code --reset-offsets} to the earliest offset, to a date-time and by a duration.
 *
 * <p>Needs {@code org.apache.kafka:kafka-tools} on the test classpath; without it the test is
 * skipped (the class is reached by reflection so that this file compiles either way).
 * {@code ConsumerGroupCommand.main} returns normally on success; on a usage error it calls
 * Kafka's {@code Exit}, which is redirected here to an exception instead of System.exit.
 */
class ConsumerGroupsCliTest
{
    private static final String COMMAND = "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand";
    /** Where Kafka's Exit lives: kafka-clients up to 4.3, kafka-clients 4.4 (internals). */
    private static final List<String> EXIT_CLASSES = List.of("org.apache.kafka.common.utils.Exit", "org.apache.kafka.common.utils.internals.Exit");
    private static final String TOPIC = "cli-topic";
    private static final String GROUP = "cli-group";
    private static final int PARTITIONS = 2;
    private static final int OLD_RECORDS = 10;
    private static final int NEW_RECORDS = 10;
    private static final DateTimeFormatter CLI_DATE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    @TempDir
    Path dataDir;

    @BeforeEach
    void requireKafkaTools()
    {
        assertTrue(isPresent(COMMAND), "org.apache.kafka:kafka-tools must be on the test classpath (broker/pom.xml)");
    }

    @Test
    @Timeout(90)
    void listDescribeWithLagAndResetOffsetsToEarliestToADateTimeAndByADuration() throws Exception
    {
        try (TestBroker broker = TestBroker.start(dataDir, Map.of("group.initial.rebalance.delay.ms", "0", "runnel.shards", "2"));
            Admin admin = broker.admin())
        {
            GroupTesting.createTopic(admin, TOPIC, PARTITIONS);
            // Per partition: offsets 0-9 stamped two hours ago (one second apart), offsets 10-19 stamped now.
            final long now = System.currentTimeMillis();
            final long oldBase = now - Duration.ofHours(2).toMillis();
            try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of()))
            {
                for (int p = 0; p < PARTITIONS; p++)
                {
                    for (int i = 0; i < OLD_RECORDS + NEW_RECORDS; i++)
                    {
                        final long timestamp = i < OLD_RECORDS ? oldBase + i * 1_000L : now + (i - OLD_RECORDS);
                        get(producer.send(new ProducerRecord<>(TOPIC, p, timestamp, null, ("r" + i).getBytes())));
                    }
                }
            }
            final String bootstrap = broker.bootstrapServers();
            final int end = OLD_RECORDS + NEW_RECORDS;

            // An active member that has committed 12 on p0 and 15 on p1.
            try (ConsumerThread member = ConsumerThread.start("cli", broker.consumer(Map.of(ConsumerConfig.GROUP_ID_CONFIG, GROUP,
                ConsumerConfig.CLIENT_ID_CONFIG, "cli-client")), List.of(TOPIC), false))
            {
                awaitCondition(Duration.ofSeconds(30), "the member owns both partitions",
                    () -> member.snapshot().assignment().size() == PARTITIONS, member::toString);
                member.call(consumer ->
                {
                    consumer.commitSync(Map.of(new TopicPartition(TOPIC, 0), new OffsetAndMetadata(12), new TopicPartition(TOPIC, 1), new OffsetAndMetadata(15)));
                    return null;
                });

                final String list = run("--bootstrap-server", bootstrap, "--list");
                assertTrue(list.lines().anyMatch(GROUP::equals), () -> "--list:\n" + list);

                final String described = run("--bootstrap-server", bootstrap, "--describe", "--group", GROUP);
                final Map<Integer, Map<String, String>> rows = table(described);
                assertEquals(Map.of(0, "8", 1, "5"), column(rows, "LAG"), () -> "LAG = LOG-END-OFFSET - CURRENT-OFFSET:\n" + described);
                assertEquals(Map.of(0, "12", 1, "15"), column(rows, "CURRENT-OFFSET"), described);
                assertEquals(Map.of(0, Integer.toString(end), 1, Integer.toString(end)), column(rows, "LOG-END-OFFSET"), described);
                assertEquals(Map.of(0, "cli-client", 1, "cli-client"), column(rows, "CLIENT-ID"), described);
                assertEquals(Map.of(0, member.snapshot().memberId(), 1, member.snapshot().memberId()), column(rows, "CONSUMER-ID"), described);

                member.stop(CloseOptions.GroupMembershipOperation.LEAVE_GROUP);
            }
            awaitCondition(Duration.ofSeconds(10), "the group is empty",
                () -> GroupTesting.describe(admin, GROUP).groupState() == GroupState.EMPTY);

            // Offsets can be reset only while the group is empty.
            final String toEarliest = run("--bootstrap-server", bootstrap, "--reset-offsets", "--to-earliest", "--execute",
                "--group", GROUP, "--topic", TOPIC);
            assertEquals(Map.of(0, "0", 1, "0"), column(table(toEarliest), "NEW-OFFSET"), toEarliest);
            assertEquals(Map.of(0, 0L, 1, 0L), committed(admin), "--to-earliest");

            final String dateTime = CLI_DATE_TIME.format(Instant.ofEpochMilli(oldBase + 5_000));
            final String toDateTime = run("--bootstrap-server", bootstrap, "--reset-offsets", "--to-datetime", dateTime, "--execute",
                "--group", GROUP, "--topic", TOPIC);
            assertEquals(Map.of(0, 5L, 1, 5L), committed(admin), () -> "--to-datetime " + dateTime + ": the first record stamped at or after it\n" + toDateTime);

            final String byDuration = run("--bootstrap-server", bootstrap, "--reset-offsets", "--by-duration", "PT1H", "--execute",
                "--group", GROUP, "--topic", TOPIC);
            assertEquals(Map.of(0, (long)OLD_RECORDS, 1, (long)OLD_RECORDS), committed(admin),
                () -> "--by-duration PT1H: the first record of the last hour\n" + byDuration);

            final String describedEmpty = run("--bootstrap-server", bootstrap, "--describe", "--group", GROUP);
            assertEquals(Map.of(0, "-", 1, "-"), column(table(describedEmpty), "CONSUMER-ID"), () -> "no active members:\n" + describedEmpty);
            assertEquals(Map.of(0, Integer.toString(NEW_RECORDS), 1, Integer.toString(NEW_RECORDS)), column(table(describedEmpty), "LAG"), describedEmpty);
        }
    }

    private static Map<Integer, Long> committed(final Admin admin)
    {
        final Map<Integer, Long> result = new HashMap<>();
        get(admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata()).forEach((tp, offset) -> result.put(tp.partition(), offset.offset()));
        return result;
    }

    // ---------------------------------------------------------------- output tables

    /** The rows of the tool's table (header line starting with GROUP), keyed by PARTITION. */
    private static Map<Integer, Map<String, String>> table(final String output)
    {
        final List<String> lines = output.lines().map(String::trim).filter(l -> !l.isEmpty()).toList();
        List<String> header = null;
        final Map<Integer, Map<String, String>> rows = new HashMap<>();
        for (final String line : lines)
        {
            final List<String> cells = Arrays.asList(line.split("\\s+"));
            if (cells.get(0).equals("GROUP") && cells.contains("PARTITION"))
            {
                header = cells;
                continue;
            }
            if (header != null && cells.size() == header.size() && cells.get(header.indexOf("TOPIC")).equals(TOPIC))
            {
                final Map<String, String> row = new HashMap<>();
                for (int i = 0; i < cells.size(); i++)
                {
                    row.put(header.get(i), cells.get(i));
                }
                rows.put(Integer.parseInt(row.get("PARTITION")), row);
            }
        }
        assertTrue(header != null && !rows.isEmpty(), () -> "no table in the output:\n" + output);
        return rows;
    }

    private static Map<Integer, String> column(final Map<Integer, Map<String, String>> rows, final String name)
    {
        final Map<Integer, String> result = new HashMap<>();
        rows.forEach((partition, row) -> result.put(partition, row.get(name)));
        return result;
    }

    // ---------------------------------------------------------------- running the tool

    private static boolean isPresent(final String className)
    {
        try
        {
            Class.forName(className, false, ConsumerGroupsCliTest.class.getClassLoader());
            return true;
        }
        catch (final ClassNotFoundException | LinkageError ex)
        {
            return false;
        }
    }

    /** Runs the tool with {@code args}; returns what it printed on stdout, fails with its output if it fails. */
    private static String run(final String... args) throws Exception
    {
        final Method main = Class.forName(COMMAND).getMethod("main", String[].class);
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final PrintStream originalOut = System.out;
        final PrintStream originalErr = System.err;
        final List<Class<?>> guarded = guardExit();
        try
        {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            main.invoke(null, (Object)args);
        }
        catch (final InvocationTargetException ex)
        {
            throw new AssertionError("kafka-consumer-groups " + String.join(" ", args) + " failed: " + ex.getCause() +
                "\nstdout:\n" + out.toString(StandardCharsets.UTF_8) + "\nstderr:\n" + err.toString(StandardCharsets.UTF_8), ex.getCause());
        }
        finally
        {
            System.setOut(originalOut);
            System.setErr(originalErr);
            resetExit(guarded);
        }
        final String printed = out.toString(StandardCharsets.UTF_8);
        originalOut.println("kafka-consumer-groups " + String.join(" ", args) + "\n" + printed);
        final String errors = err.toString(StandardCharsets.UTF_8);
        assertTrue(errors.lines().noneMatch(l -> l.startsWith("Error:")) && printed.lines().noneMatch(l -> l.startsWith("Error:")),
            () -> "the tool reported an error:\n" + errors + "\nstdout:\n" + printed);
        return printed;
    }

    /** Makes Kafka's Exit.exit throw instead of ending the JVM, for every Exit class present. */
    private static List<Class<?>> guardExit() throws Exception
    {
        final List<Class<?>> guarded = new ArrayList<>();
        for (final String name : EXIT_CLASSES)
        {
            if (!isPresent(name))
            {
                continue;
            }
            final Class<?> exit = Class.forName(name);
            final Class<?> procedure = Class.forName(name + "$Procedure");
            final Object throwing = Proxy.newProxyInstance(procedure.getClassLoader(), new Class<?>[] {procedure}, (proxy, method, methodArgs) ->
            {
                if (method.getDeclaringClass() == Object.class)
                {
                    return method.getName().equals("toString") ? "exit guard" : method.getName().equals("hashCode") ? 0 : proxy == methodArgs[0];
                }
                throw new IllegalStateException("the tool called exit(" + methodArgs[0] + "): " + methodArgs[1]);
            });
            exit.getMethod("setExitProcedure", procedure).invoke(null, throwing);
            guarded.add(exit);
        }
        return guarded;
    }

    private static void resetExit(final List<Class<?>> guarded) throws Exception
    {
        for (final Class<?> exit : guarded)
        {
            exit.getMethod("resetExitProcedure").invoke(null);
        }
    }
}
