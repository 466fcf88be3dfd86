package io.partita.scheduler.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.partita.scheduler.http.MessageAssembler.Assembled;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

class MessageAssemblerTest {
    private static Buffer bytes(int n) {
        return Buffer.buffer(new byte[n]);
    }

    @Test
    void framesMakeOneMessageAndAMessageOverTheLimitIsRefusedOnceItEnds() {
        MessageAssembler messages = new MessageAssembler(10);
        assertThat(messages.frame(true, false, false, bytes(4))).isEmpty();
        assertThat(messages.frame(false, false, true, bytes(6))).hasValueSatisfying(m ->
                assertThat(((Assembled.Message) m).bytes()).hasSize(10));

        assertThat(messages.frame(true, false, false, bytes(8))).isEmpty();
        assertThat(messages.frame(false, false, false, bytes(8))).isEmpty(); // over: dropped as it comes
        assertThat(messages.frame(false, false, true, bytes(8))).hasValueSatisfying(m ->
                assertThat(((Assembled.Refused) m).error()).contains("message of 24 B is over the limit of 10 B"));

        assertThat(messages.frame(true, false, true, bytes(3))).hasValueSatisfying(m ->
                assertThat(m).isInstanceOf(Assembled.Message.class)); // the next one is fine
    }

    @Test
    void textAndStrayContinuationsAreRefused() {
        MessageAssembler messages = new MessageAssembler(10);
        assertThat(messages.frame(true, true, true, bytes(2))).hasValueSatisfying(m ->
                assertThat(((Assembled.Refused) m).error()).contains("text frames"));
        assertThat(messages.frame(false, false, true, bytes(2))).hasValueSatisfying(m ->
                assertThat(((Assembled.Refused) m).error()).contains("continuation"));
    }
}
