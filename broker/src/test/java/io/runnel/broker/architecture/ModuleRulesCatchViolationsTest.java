package io.runnel.broker.architecture;

import java.util.List;
import java.util.stream.Collectors;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rules of {@link ModuleRules}, the same definitions {@link ModuleRulesTest} applies to production
 * code, fail on the deliberately violating fixture below {@code io.runnel.archfixture}. Each test prints
 * the message the build would show and asserts which classes it names, so a rule that stopped matching
 * (a renamed package, a wrong pattern) fails here instead of passing silently in {@link ModuleRulesTest}.
 */
final class ModuleRulesCatchViolationsTest
{
    private static final String F = "io.runnel.archfixture";
    private static final ModuleRules RULES = new ModuleRules(F);
    private static JavaClasses fixture;

    @BeforeAll
    static void importFixture()
    {
        fixture = new ClassFileImporter().importPackages(F);   // test classes: no DO_NOT_INCLUDE_TESTS here
    }

    @Test
    void layeringCatchesUpwardAndSidewaysDependencies()
    {
        final String message = violation(RULES.layering());
        assertViolatingOrigins(message, List.of(
            F + ".codecs.PartitionAwareCodec", F + ".kernel.FixtureShard", F + ".cluster.FixtureReplicator"));
        assertNamesDependency(message, "codecs.PartitionAwareCodec", "kernel.log.FixtureLog");
        assertNamesDependency(message, "kernel.FixtureShard", "io.net.FixtureReactor");
        assertNamesDependency(message, "cluster.FixtureReplicator", "io.api.FixtureRouter");
        assertNamesDependency(message, "cluster.FixtureReplicator", "bench.FixtureLoad");
    }

    @Test
    void cycleRuleCatchesTheNetApiCycle()
    {
        final String message = violation(RULES.noPackageCycles());
        assertEquals(1, count(message, "Cycle detected:"), message);
        final String cycle = message.lines().filter(l -> l.contains("Cycle detected:") || l.trim().startsWith(F))
            .map(l -> l.replace("Cycle detected:", "").trim()).collect(Collectors.joining(" "));
        assertEquals(F + ".io.api -> " + F + ".io.net -> " + F + ".io.api", cycle, message);
        assertNamesDependency(message, "io.net.FixtureReactor", "io.api.FixtureRouter");
        assertNamesDependency(message, "io.api.FixtureRouter", "io.net.FixtureReactor");
    }

    @Test
    void netMustNotUseApi()
    {
        final String message = violation(RULES.netKnowsNoApi());
        assertViolatingOrigins(message, List.of(F + ".io.net.FixtureReactor"));
        assertNamesDependency(message, "io.net.FixtureReactor", "io.api.FixtureRouter");
    }

    @Test
    void codecsMustNotUseKernel()
    {
        final String message = violation(RULES.codecsKnowNoPartitions());
        assertViolatingOrigins(message, List.of(F + ".codecs.PartitionAwareCodec"));
        assertNamesDependency(message, "codecs.PartitionAwareCodec", "kernel.log.FixtureLog");
    }

    @Test
    void kernelMustNotTouchSockets()
    {
        final String message = violation(RULES.kernelHasNoSockets());
        assertViolatingOrigins(message, List.of(F + ".kernel.FixtureShard"));
        assertTrue(message.contains("<java.nio.channels.SocketChannel>"), message);
    }

    /** The AssertionError that {@code check} throws, i.e. what the build prints; printed here too. */
    private static String violation(final ArchRule rule)
    {
        final AssertionError error = assertThrows(AssertionError.class, () -> rule.check(fixture), rule.getDescription());
        System.out.println("[deliberate violation] " + error.getMessage());
        return error.getMessage();
    }

    /** The first class or member named in each violation line (where ArchUnit names the violating origin) is one of {@code origins}. */
    private static void assertViolatingOrigins(final String message, final List<String> origins)
    {
        final List<String> details = message.lines().skip(1).toList();
        assertTrue(!details.isEmpty(), message);
        for (final String line : details)
        {
            final String first = line.substring(line.indexOf('<') + 1, line.indexOf('>'));
            assertTrue(origins.stream().anyMatch(first::startsWith),
                () -> "unexpected violation '" + line + "', expected only from " + origins);
        }
        for (final String origin : origins)
        {
            assertTrue(details.stream().anyMatch(l -> l.contains("<" + origin)), () -> origin + " not reported:\n" + message);
        }
    }

    private static void assertNamesDependency(final String message, final String origin, final String target)
    {
        assertTrue(message.lines().anyMatch(l -> l.contains("<" + F + "." + origin) && l.contains("<" + F + "." + target)),
            () -> origin + " -> " + target + " not reported:\n" + message);
    }

    private static int count(final String text, final String what)
    {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1))
        {
            n++;
        }
        return n;
    }
}
