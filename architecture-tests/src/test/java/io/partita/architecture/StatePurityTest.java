package io.partita.architecture;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.time.Clock;
import java.util.Set;
import java.util.Timer;
import java.util.TimerTask;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;

import java.util.stream.Stream;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The scheduler's and the worker's state packages are pure: {@code handle(events) -> instructions} with no I/O, no
 * threads and no clock (docs/architecture.md, "Rules the build enforces"). Time and randomness are passed in.
 */
class StatePurityTest {
    @TestFactory
    Stream<DynamicTest> rules() {
        return Rules.of(StatePurityTest.class);
    }

    private static final String[] STATE = {"io.partita.scheduler.state..", "io.partita.worker.state.."};

    static final ArchRule stateImportsNoIoLibrary = noClasses().that().resideInAnyPackage(STATE)
            .should().dependOnClassesThat().resideInAnyPackage(
                    "io.vertx..", "io.netty..", "com.hazelcast..", "org.apache.arrow.flight..", "io.grpc..",
                    "java.nio.channels..", "java.nio.file..")
            .because("the state machine knows nothing of sockets, files or the cluster: the I/O layer does");

    static final ArchRule stateStartsNoThreads = noClasses().that().resideInAnyPackage(STATE)
            .should().dependOnClassesThat(threadsOrLocks())
            .because("all of a state machine runs on its caller's thread; plain collections are fine");

    static final ArchRule stateReadsNoClock = noClasses().that().resideInAnyPackage(STATE)
            .should().callMethodWhere(calls(System.class, "currentTimeMillis", "nanoTime"))
            .orShould().callMethodWhere(nowOfJavaTime())
            .orShould().dependOnClassesThat().areAssignableTo(Clock.class)
            .because("time is passed in with the events, so tests control the clock");

    static final ArchRule stateDrawsNoUnseededRandomness = noClasses().that().resideInAnyPackage(STATE)
            .should().callMethodWhere(calls(Math.class, "random"))
            .orShould().callMethodWhere(calls(java.util.UUID.class, "randomUUID"))
            .orShould().dependOnClassesThat().haveFullyQualifiedName("java.util.concurrent.ThreadLocalRandom")
            .orShould().dependOnClassesThat().haveFullyQualifiedName("java.security.SecureRandom")
            .because("randomness is seeded and passed in, so a run can be replayed");

    static final ArchRule schedulerStateDependsOnNoAdapter = noClasses().that().resideInAPackage("io.partita.scheduler.state..")
            .should().dependOnClassesThat(outsideOwnState(Modules.SCHEDULER))
            .because("the pure core is the centre: adapters (server, metrics, dashboard) depend on it, not it on them");

    static final ArchRule workerStateDependsOnNoAdapter = noClasses().that().resideInAPackage("io.partita.worker.state..")
            .should().dependOnClassesThat(outsideOwnState(Modules.WORKER))
            .because("the pure core is the centre: adapters (store, transfer, exec, http) depend on it, not it on them");

    private static DescribedPredicate<JavaClass> threadsOrLocks() {
        return DescribedPredicate.describe("are threads, executors, timers or locks", type ->
                type.isAssignableTo(Thread.class) || type.isAssignableTo(Executor.class)
                        || type.isAssignableTo(ThreadFactory.class) || type.isEquivalentTo(Executors.class)
                        || type.isEquivalentTo(Timer.class) || type.isAssignableTo(TimerTask.class)
                        || type.getPackageName().equals("java.util.concurrent.locks"));
    }

    private static DescribedPredicate<JavaMethodCall> calls(Class<?> owner, String... names) {
        Set<String> wanted = Set.of(names);
        return DescribedPredicate.describe(owner.getSimpleName() + "." + String.join("/", names),
                call -> call.getTargetOwner().isEquivalentTo(owner) && wanted.contains(call.getName()));
    }

    private static DescribedPredicate<JavaMethodCall> nowOfJavaTime() {
        return DescribedPredicate.describe("java.time's now() (Instant.now, LocalDateTime.now, ...)",
                call -> call.getTargetOwner().getPackageName().equals("java.time") && call.getName().equals("now"));
    }

    private static DescribedPredicate<JavaClass> outsideOwnState(String service) {
        return DescribedPredicate.describe("are in " + service + " but not in its state package",
                type -> Modules.inAny(type, service) && !Modules.inAny(type, service + ".state"));
    }
}
