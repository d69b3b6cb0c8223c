package io.runnel.broker.architecture;

import java.net.DatagramSocket;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.List;

import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.assignableTo;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * Runnel's module rules (DESIGN.md, "Dependencies point one way"), as ArchUnit rules over the
 * packages below {@code root}: {@code root.codecs..}, {@code root.kernel..}, {@code root.coordinator..},
 * {@code root.io..}, {@code root.cluster..}, {@code root.broker..}. {@link ModuleRulesTest} checks them
 * against the production code ({@code root = "io.runnel"}); {@link ModuleRulesCatchViolationsTest}
 * checks the very same definitions against a deliberately violating fixture
 * ({@code root = "io.runnel.archfixture"}), so a rule that silently matched nothing would show there.
 */
final class ModuleRules
{
    /** Every module whose packages the rules know; a new module must be added here (and to {@link #layering()}). */
    static final List<String> MODULES = List.of("codecs", "kernel", "coordinator", "io", "cluster", "broker", "bench");

    private final String root;

    ModuleRules(final String root)
    {
        this.root = root;
    }

    List<ArchRule> all()
    {
        return List.of(layering(), noPackageCycles(), netKnowsNoApi(), codecsKnowNoPartitions(), kernelHasNoSockets());
    }

    /**
     * (a) codecs ← kernel ← coordinator ← io / cluster ← broker: each module may use only the modules
     * below it (the "may depend on" column of DESIGN.md's module table; cluster: kernel and codecs).
     * Only dependencies on Runnel's own packages are considered, so a dependency on a package of no
     * layer (bench, or a module not yet listed) is a violation too. bench may use anything and is not
     * constrained; no other module may use it. Layers are optional so that coordinator and cluster may
     * still be empty.
     */
    ArchRule layering()
    {
        return layeredArchitecture()
            .consideringOnlyDependenciesInAnyPackage(pkg(""))
            .withOptionalLayers(true)
            .layer("codecs").definedBy(pkg("codecs"))
            .layer("kernel").definedBy(pkg("kernel"))
            .layer("coordinator").definedBy(pkg("coordinator"))
            .layer("io").definedBy(pkg("io"))
            .layer("cluster").definedBy(pkg("cluster"))
            .layer("broker").definedBy(pkg("broker"))
            .whereLayer("codecs").mayNotAccessAnyLayer()
            .whereLayer("kernel").mayOnlyAccessLayers("codecs")
            .whereLayer("coordinator").mayOnlyAccessLayers("kernel", "codecs")
            .whereLayer("io").mayOnlyAccessLayers("coordinator", "kernel", "codecs")
            .whereLayer("cluster").mayOnlyAccessLayers("kernel", "codecs")
            .whereLayer("broker").mayOnlyAccessLayers("io", "cluster", "coordinator", "kernel", "codecs")
            .as("modules depend one way: codecs <- kernel <- coordinator <- io / cluster <- broker (under " + root + ")");
    }

    /**
     * (b) No package cycles: every package below {@code root} is its own slice (a module's root
     * package, {@code io.runnel.io}, as well as {@code io.runnel.io.api.produce}), and the slices are free
     * of cycles. A cycle between packages of two modules is also a layering violation; one inside a
     * module is what this rule adds.
     */
    ArchRule noPackageCycles()
    {
        return slices().matching(root + ".(**)").namingSlices(root + ".$1")
            .should().beFreeOfCycles()
            .as("packages below " + root + " are free of cycles");
    }

    /** (c) The connection layer knows no Kafka API: {@code io.net} must not use {@code io.api}. */
    ArchRule netKnowsNoApi()
    {
        return noClasses().that().resideInAPackage(pkg("io.net"))
            .should().dependOnClassesThat().resideInAPackage(pkg("io.api"))
            .as(root + ".io.net knows no API (" + root + ".io.api)");
    }

    /**
     * (d) codecs knows nothing about partitions or shards: it uses no other Runnel module at all
     * (spelled out on its own, beside {@link #layering()}, so that the message says what is meant).
     */
    ArchRule codecsKnowNoPartitions()
    {
        return classes().that().resideInAPackage(pkg("codecs"))
            .should().onlyDependOnClassesThat(resideInAPackage(pkg("codecs")).or(resideOutsideOfPackage(pkg(""))))
            .as(root + ".codecs knows nothing about partitions and shards: it uses no other Runnel module");
    }

    /** (d) Nothing in the kernel knows about sockets: no socket channels, selectors or java.net sockets. */
    ArchRule kernelHasNoSockets()
    {
        return noClasses().that().resideInAPackage(pkg("kernel"))
            .should().dependOnClassesThat(assignableTo(NetworkChannel.class)   // Socket-, ServerSocket-, Datagram-, Asynchronous*Channel
                .or(assignableTo(Selector.class))
                .or(assignableTo(SelectionKey.class))
                .or(assignableTo(Socket.class))
                .or(assignableTo(ServerSocket.class))
                .or(assignableTo(DatagramSocket.class)))
            .as(root + ".kernel has no socket code (no socket channels, Selector, SelectionKey or java.net sockets)");
    }

    /** {@code root.module..}, or {@code root..} for an empty module name. */
    String pkg(final String module)
    {
        return module.isEmpty() ? root + ".." : root + "." + module + "..";
    }

    String root()
    {
        return root;
    }
}
