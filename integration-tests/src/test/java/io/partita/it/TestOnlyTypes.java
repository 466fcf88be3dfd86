package io.partita.it;

import java.io.Serializable;
import java.util.List;

/**
 * Types that exist only on the test class path, never on a worker's: a task that uses them proves that the client
 * shipped its code.
 */
final class TestOnlyTypes {
    private TestOnlyTypes() {}

    record Reading(String sensor, double celsius) implements Serializable {
        Reading warmer(double by) {
            return new Reading(sensor, celsius + by);
        }
    }

    record Summary(int count, double mean) implements Serializable {}

    static Summary summarize(List<Reading> readings) {
        return new Summary(readings.size(), readings.stream().mapToDouble(Reading::celsius).average().orElse(Double.NaN));
    }

    /** A user exception type the workers have never seen. */
    static final class SensorFault extends RuntimeException {
        SensorFault(String message) {
            super(message);
        }
    }
}
