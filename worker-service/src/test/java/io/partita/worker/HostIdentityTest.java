package io.partita.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostIdentityTest {
    @Test
    void anotherNetworkNamespaceThanInitsIsAnotherHost(@TempDir Path dir) throws Exception {
        Path init = Files.createSymbolicLink(dir.resolve("init"), Path.of("net:[4026531840]"));
        Path same = Files.createSymbolicLink(dir.resolve("same"), Path.of("net:[4026531840]"));
        Path other = Files.createSymbolicLink(dir.resolve("other"), Path.of("net:[4026532301]"));

        assertThat(HostIdentity.networkNamespaceSuffix(same, init)).isEmpty();
        assertThat(HostIdentity.networkNamespaceSuffix(other, init)).contains("net-4026532301");
        assertThat(HostIdentity.networkNamespaceSuffix(other, dir.resolve("unreadable"))).isEmpty();
    }

    @Test
    void theHostIdIsStableWithinAProcess() {
        assertThat(HostIdentity.hostId()).isEqualTo(HostIdentity.hostId()).startsWith(HostIdentity.hostname());
    }
}
