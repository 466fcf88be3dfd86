package io.partita.common.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterTokenTest {
    @TempDir
    Path dir;

    @Test
    void aBlankTokenIsAnErrorNotNoAuthentication() {
        assertThatThrownBy(() -> ClusterToken.of("  ")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("blank");
        assertThat(ClusterToken.of(null).required()).isFalse();
    }

    @Test
    void aTokenFilePresentsItsFirstLineAndAcceptsEveryLineDuringARotation() throws Exception {
        Path file = Files.writeString(dir.resolve("token"), "new-token\n\n  old-token  \n");
        ClusterToken token = ClusterToken.fromFile(file);
        assertThat(token.headerValue()).hasValue("Bearer new-token");
        assertThat(token.accepts("Bearer new-token")).isTrue();
        assertThat(token.accepts("Bearer old-token")).isTrue();
        assertThat(token.accepts("Bearer other")).isFalse();
        assertThat(token.toString()).doesNotContain("token-");
    }

    @Test
    void anEmptyOrMissingTokenFileIsAnError() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty"), "\n  \n");
        assertThatThrownBy(() -> ClusterToken.fromFile(empty)).hasMessageContaining("holds no token");
        assertThatThrownBy(() -> ClusterToken.fromFile(dir.resolve("missing"))).hasMessageContaining("cannot read");
    }
}
