package io.partita.architecture;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;

import java.util.Arrays;

/** Partita's modules as their root packages: every module's classes live under one root of its own. */
final class Modules {
    static final String COMMON = "io.partita.common";
    static final String DASHBOARD = "io.partita.dashboard";
    static final String SCHEDULER = "io.partita.scheduler";
    static final String WORKER = "io.partita.worker";
    static final String CLIENT = "io.partita.client";
    static final String LAUNCHER = "io.partita.launcher";
    static final String TEST_NETWORK = "io.partita.testnet";
    static final String BENCHMARKS = "io.partita.benchmarks";

    private Modules() {
    }

    /** In one of the roots, or a package below it. */
    static boolean inAny(JavaClass type, String... roots) {
        String pkg = type.getPackageName();
        return Arrays.stream(roots).anyMatch(root -> pkg.equals(root) || pkg.startsWith(root + "."));
    }

    /** A Partita class outside every one of the given modules. */
    static DescribedPredicate<JavaClass> partitaOutside(String... allowed) {
        return DescribedPredicate.describe("are Partita classes outside " + String.join(", ", allowed),
                type -> inAny(type, "io.partita") && !inAny(type, allowed));
    }
}
