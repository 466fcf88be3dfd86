package io.partita.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.partita.common.task.FunctionSpec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class SentFunctionsTest {
    private static FunctionSpec spec(String name) {
        return FunctionSpec.of(name, name.getBytes(StandardCharsets.UTF_8), List.of());
    }

    @Test
    void keepsWhatTheConnectionSent() {
        SentFunctions functions = new SentFunctions();
        FunctionSpec inc = spec("inc");
        FunctionSpec dbl = spec("double");
        functions.received(List.of(inc));
        functions.received(List.of(dbl, inc));
        assertThat(functions.get(inc.id())).isEqualTo(inc);
        assertThat(functions.get(dbl.id())).isEqualTo(dbl);
        assertThat(functions.size()).isEqualTo(2);
    }

    @Test
    void aLostConnectionTakesItsSpecsWithIt() {
        SentFunctions functions = new SentFunctions();
        FunctionSpec inc = spec("inc");
        functions.received(List.of(inc));
        functions.connectionLost();
        assertThat(functions.get(inc.id())).isNull();
        assertThat(functions.size()).isZero();
        functions.received(List.of(inc)); // the next scheduler sends it again with the tasks that use it
        assertThat(functions.get(inc.id())).isEqualTo(inc);
    }
}
