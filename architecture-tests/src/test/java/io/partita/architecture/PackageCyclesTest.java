package io.partita.architecture;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import com.tngtech.archunit.library.dependencies.Slice;

import java.util.stream.Stream;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * No cycles between the packages of a module: each package is a layer that can be read, tested and replaced
 * without the ones above it. Between modules, {@link ModuleDirectionTest} already forbids every back edge.
 */
class PackageCyclesTest {
    @TestFactory
    Stream<DynamicTest> rules() {
        return Rules.of(PackageCyclesTest.class);
    }


    static final ArchRule commonHasNoPackageCycles = freeOfCycles(Modules.COMMON);
    static final ArchRule dashboardHasNoPackageCycles = freeOfCycles(Modules.DASHBOARD);
    static final ArchRule schedulerHasNoPackageCycles = freeOfCycles(Modules.SCHEDULER);
    static final ArchRule workerHasNoPackageCycles = freeOfCycles(Modules.WORKER);
    static final ArchRule clientHasNoPackageCycles = freeOfCycles(Modules.CLIENT);
    static final ArchRule launcherHasNoPackageCycles = freeOfCycles(Modules.LAUNCHER);
    static final ArchRule testNetworkHasNoPackageCycles = freeOfCycles(Modules.TEST_NETWORK);
    static final ArchRule benchmarksHaveNoPackageCycles = freeOfCycles(Modules.BENCHMARKS);

    /** One slice per package (its root included), of this module's packages only. */
    private static ArchRule freeOfCycles(String root) {
        return slices().matching("io.partita.(**)")
                .that(DescribedPredicate.<Slice>describe("are in " + root,
                        slice -> slice.stream().allMatch(type -> Modules.inAny(type, root))))
                .should().beFreeOfCycles();
    }
}
