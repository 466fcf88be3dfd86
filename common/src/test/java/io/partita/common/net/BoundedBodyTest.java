package io.partita.common.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class BoundedBodyTest {
    @Test
    void aBodyUpToTheLimitIsReadAndOneByteMoreIsRefused() throws IOException {
        assertThat(InternalHttp.boundedBody(new ByteArrayInputStream("0123456789".getBytes()), 10)).isEqualTo("0123456789");
        assertThatThrownBy(() -> InternalHttp.boundedBody(new ByteArrayInputStream("0123456789X".getBytes()), 10))
                .isInstanceOf(IOException.class).hasMessageContaining("more than 10 bytes");
    }
}
