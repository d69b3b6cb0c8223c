package io.runnel.bench.sidebyside;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.runnel.bench.omb.BenchConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SystemUnderTestTest
{
    @Test
    void parsesAPlainBroker()
    {
        final SystemUnderTest kafka = SystemUnderTest.parse("kafka=kafka");
        assertEquals("kafka", kafka.label());
        assertEquals(SystemUnderTest.Kind.KAFKA, kafka.kind());
        assertEquals(Map.of(), kafka.overrides());
        assertEquals("Apache Kafka", kafka.describe());
        assertEquals(SystemUnderTest.Kind.RUNNEL, SystemUnderTest.parse("runnel-4.0_b=runnel").kind());
    }

    @Test
    void keepsOverridesInTheOrderGiven()
    {
        final SystemUnderTest one = SystemUnderTest.parse("one-shard=runnel,runnel.shards=1,log.flush.interval.messages=1,x.list=a=b");
        assertEquals("one-shard", one.label());
        assertEquals(SystemUnderTest.Kind.RUNNEL, one.kind());
        // The first '=' splits key from value, so a value may hold '='.
        assertEquals(List.of("runnel.shards", "log.flush.interval.messages", "x.list"), List.copyOf(one.overrides().keySet()));
        assertEquals("a=b", one.overrides().get("x.list"));
        assertEquals("Runnel {runnel.shards=1, log.flush.interval.messages=1, x.list=a=b}", one.describe());
    }

    @Test
    void homeNamesAnotherCheckoutAndIsNoBrokerSetting()
    {
        final Path harness = Path.of("/work/main");
        final SystemUnderTest before = SystemUnderTest.parse("before=runnel,home=/work/wt-before,runnel.shards=2");
        assertEquals(Path.of("/work/wt-before"), before.homeOr(harness));
        assertEquals(Map.of("runnel.shards", "2"), before.overrides());
        assertEquals("Runnel from /work/wt-before {runnel.shards=2}", before.describe());
        assertEquals(harness, SystemUnderTest.parse("after=runnel").homeOr(harness));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "runnel                     | --system must be label=kafka or label=runnel[,key=value...], was 'runnel'",
        "=runnel                    | --system must be label=kafka or label=runnel",
        "my run=runnel              | --system label 'my run' may hold only letters, digits",
        "rp=redpanda                | --system rp: broker must be kafka or runnel, was 'redpanda'",
        "r=                         | --system r: broker must be kafka or runnel, was ''",
        "r=runnel,runnel.shards     | --system r: 'runnel.shards' is not key=value",
        "r=runnel,=1                | --system r: '=1' is not key=value"})
    void refusesMalformedSpecs(final String spec, final String message)
    {
        final BenchConfigException ex = assertThrows(BenchConfigException.class, () -> SystemUnderTest.parse(spec));
        assertTrue(ex.getMessage().startsWith(message), ex.getMessage());
    }
}
