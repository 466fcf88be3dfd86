package io.partita.common.net;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/** An exception and its causes in one line, for logs and error messages that must not drop the real error. */
public final class Causes {
    private Causes() {}

    /** {@code "IOException: closed <- ProtocolException: protocol error: ..."}, each cause once. */
    public static String describe(Throwable e) {
        List<String> parts = new ArrayList<>();
        Map<Throwable, Boolean> seen = new IdentityHashMap<>();
        for (Throwable t = e; t != null && seen.put(t, Boolean.TRUE) == null; t = t.getCause()) {
            String message = t.getMessage();
            parts.add(t.getClass().getSimpleName() + (message == null || message.isEmpty() ? "" : ": " + message));
        }
        return String.join(" <- ", parts);
    }
}
