package io.runnel.broker.architecture;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The module rules ({@link ModuleRules}) hold for Runnel's production code. They live in the broker
 * module because broker is the assembly: its test class path holds every production module's classes
 * (codecs, kernel, io, cluster, and coordinator through io), and nothing else (bench, which may use
 * anything, is above broker and not on it). {@link #everyModuleIsOnTheClassPath()} makes sure that stays
 * so: a module the rules cannot see would pass them silently.
 *
 * <p>Run alone: {@code mvn -B -pl broker -am test -Dtest='ModuleRules*' -Dsurefire.failIfNoSpecifiedTests=false}.
 */
final class ModuleRulesTest
{
    private static final ModuleRules RULES = new ModuleRules("io.runnel");
    private static JavaClasses production;

    @BeforeAll
    static void importProductionClasses()
    {
        production = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(RULES.root());
    }

    @Test
    void modulesDependOneWay()
    {
        RULES.layering().check(production);
    }

    @Test
    void noPackageCycles()
    {
        RULES.noPackageCycles().check(production);
    }

    @Test
    void netKnowsNoApi()
    {
        RULES.netKnowsNoApi().check(production);
    }

    @Test
    void codecsKnowNoPartitions()
    {
        RULES.codecsKnowNoPartitions().check(production);
    }

    @Test
    void kernelHasNoSockets()
    {
        RULES.kernelHasNoSockets().check(production);
    }

    /**
     * Every module of the build that has Java sources (other than bench) is imported, and every one is
     * a module the rules know: a new module must be put into the layering and onto broker's class path.
     */
    @Test
    void everyModuleIsOnTheClassPath() throws IOException
    {
        final Set<String> withSources = modulePackagesWithSources(repositoryRoot());
        assertTrue(withSources.containsAll(List.of("codecs", "kernel", "io", "broker")), () -> "found " + withSources);

        final Set<String> unknown = new TreeSet<>(withSources);
        unknown.removeAll(ModuleRules.MODULES);
        assertEquals(Set.of(), unknown, "modules the rules do not know: add them to ModuleRules (MODULES and layering)");

        final Set<String> imported = new TreeSet<>();
        for (final JavaClass c : production)
        {
            final String rest = c.getPackageName().substring(RULES.root().length() + 1);
            imported.add(rest.contains(".") ? rest.substring(0, rest.indexOf('.')) : rest);
        }
        final Set<String> missing = new TreeSet<>(withSources);
        missing.remove("bench");
        missing.removeAll(imported);
        assertEquals(Set.of(), missing, "modules with sources that broker's test class path lacks: the rules cannot see them");
    }

    /** Names {@code P} of {@code <module>/src/main/java/io/runnel/P} in the build's modules. */
    private static Set<String> modulePackagesWithSources(final Path repositoryRoot) throws IOException
    {
        final Set<String> names = new TreeSet<>();
        try (Stream<Path> modules = Files.list(repositoryRoot))
        {
            for (final Path module : (Iterable<Path>)modules::iterator)
            {
                final Path packages = module.resolve("src/main/java/io/runnel");
                if (Files.isDirectory(packages))
                {
                    try (Stream<Path> children = Files.list(packages))
                    {
                        children.filter(Files::isDirectory).forEach(p -> names.add(p.getFileName().toString()));
                    }
                }
            }
        }
        return names;
    }

    /** The parent of the broker module's directory (Surefire runs tests in the module's base directory). */
    private static Path repositoryRoot()
    {
        final Path broker = Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
        final Path root = broker.getParent();
        assertTrue(Files.isRegularFile(root.resolve("pom.xml")) && Files.isDirectory(root.resolve("broker")),
            () -> "not the repository root: " + root);
        return root;
    }
}
