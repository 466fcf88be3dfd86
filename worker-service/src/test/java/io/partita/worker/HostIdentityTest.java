package io.partita.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostIdentityTest {
    @Test
    void theNetworkNamespaceIsPartOfTheHost(@TempDir Path dir) throws Exception {
        Path machine = Files.createSymbolicLink(dir.resolve("machine"), Path.of("net:[4026531840]"));
        Path pod = Files.createSymbolicLink(dir.resolve("pod"), Path.of("net:[4026532301]"));

        assertThat(HostIdentity.networkNamespace(machine)).contains("net4026531840");
        assertThat(HostIdentity.networkNamespace(pod)).contains("net4026532301");
        assertThat(HostIdentity.networkNamespace(dir.resolve("missing"))).isEmpty();
        assertThat(HostIdentity.hostId()).endsWith(HostIdentity.networkNamespace(Path.of("/proc/self/ns/net")).orElse(""));
    }

    @Test
    void theHostIdIsStableWithinAProcess() {
        assertThat(HostIdentity.hostId()).isEqualTo(HostIdentity.hostId()).startsWith(HostIdentity.hostname());
    }
}
