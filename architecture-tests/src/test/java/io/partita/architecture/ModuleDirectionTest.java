package io.partita.architecture;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.stream.Stream;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static io.partita.architecture.Modules.CLIENT;
import static io.partita.architecture.Modules.COMMON;
import static io.partita.architecture.Modules.DASHBOARD;
import static io.partita.architecture.Modules.LAUNCHER;
import static io.partita.architecture.Modules.SCHEDULER;
import static io.partita.architecture.Modules.WORKER;
import static io.partita.architecture.Modules.partitaOutside;

/**
 * Dependencies between modules point one way (docs/architecture.md): common at the bottom, the client and the
 * services beside each other on top of it, the launcher over them. Checked on the classes themselves; the poms are
 * checked by {@link ModulePomsTest}.
 */
class ModuleDirectionTest {
    @TestFactory
    Stream<DynamicTest> rules() {
        return Rules.of(ModuleDirectionTest.class);
    }


    static final ArchRule commonDependsOnNoOtherModule = noClasses().that().resideInAPackage(COMMON + "..")
            .should().dependOnClassesThat(partitaOutside(COMMON))
            .because("common is what every side speaks; it depends on nothing of ours");

    static final ArchRule dashboardDependsOnlyOnCommon = noClasses().that().resideInAPackage(DASHBOARD + "..")
            .should().dependOnClassesThat(partitaOutside(DASHBOARD, COMMON))
            .because("the scheduler mounts the dashboard, so the dashboard cannot know the scheduler");

    static final ArchRule schedulerDependsOnlyOnCommonAndDashboard = noClasses().that().resideInAPackage(SCHEDULER + "..")
            .should().dependOnClassesThat(partitaOutside(SCHEDULER, COMMON, DASHBOARD))
            .because("the scheduler knows the worker and the client only by the messages in common");

    static final ArchRule workerDependsOnlyOnCommon = noClasses().that().resideInAPackage(WORKER + "..")
            .should().dependOnClassesThat(partitaOutside(WORKER, COMMON))
            .because("the worker knows the scheduler only by the messages in common");

    static final ArchRule clientDependsOnlyOnCommon = noClasses().that().resideInAPackage(CLIENT + "..")
            .should().dependOnClassesThat(partitaOutside(CLIENT, COMMON))
            .because("the client speaks the scheduler's client API and Flight, never a service's classes");

    static final ArchRule clientLinksNoHazelcast = noClasses().that().resideInAPackage(CLIENT + "..")
            .should().dependOnClassesThat().resideInAPackage("com.hazelcast..")
            .because("the client is no cluster member: Hazelcast authenticates no member");

    static final ArchRule launcherUsesServicesOnlyThroughCliAndConfig = noClasses().that().resideInAPackage(LAUNCHER + "..")
            .should().dependOnClassesThat(partitaOutside(LAUNCHER, COMMON, CLIENT).and(notServiceEntryPoint()))
            .because("the launcher starts the services as processes; it may name their command lines and config only");

    /** SchedulerCli, WorkerCli (and their nested classes) and the services' *Config classes. */
    private static DescribedPredicate<JavaClass> notServiceEntryPoint() {
        return DescribedPredicate.describe("are not a service's Cli or Config class", type -> {
            if (!Modules.inAny(type, SCHEDULER, WORKER)) {
                return true;
            }
            String top = type.getName().replaceFirst("\\$.*", "");
            String simple = top.substring(top.lastIndexOf('.') + 1);
            boolean cli = simple.endsWith("Cli")
                    && (type.getPackageName().equals(SCHEDULER) || type.getPackageName().equals(WORKER));
            return !(cli || simple.endsWith("Config"));
        });
    }
}
