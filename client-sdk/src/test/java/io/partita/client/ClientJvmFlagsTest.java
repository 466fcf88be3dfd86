package io.partita.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.partita.common.flight.FlightJvm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A client JVM started without the flags Arrow Flight needs fails at connect, naming them. */
class ClientJvmFlagsTest {
    /** Connects to a closed port: with the flags it fails to reach the scheduler, without them it fails first. */
    public static final class Connect {
        public static void main(String[] args) {
            try (Client client = Client.connect("127.0.0.1:1")) {
                System.out.println("connected");
            } catch (RuntimeException e) {
                System.out.println(e.getClass().getSimpleName() + ": " + e.getMessage());
            }
        }
    }

    private static String run(List<String> jvmFlags) throws Exception {
        List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmFlags);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Connect.class.getName()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    @Test
    void withoutTheFlagsConnectSaysWhichToAdd() throws Exception {
        assertThat(run(List.of())).contains("IllegalStateException: this JVM cannot receive data over Arrow Flight")
                .contains(FlightJvm.REQUIRED_FLAGS);
    }

    @Test
    void withTheFlagsConnectGoesOnToTheScheduler() throws Exception {
        assertThat(run(List.of(FlightJvm.REQUIRED_FLAGS.split(" ")))).contains("PartitaException: cannot reach the scheduler");
        assertThat(FlightJvm.ZERO_COPY_WRITE).as("this test JVM has the flags").isTrue();
    }
}
