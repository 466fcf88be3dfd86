package io.partita.client;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A task's exception whose class the client cannot load (or that could not be serialized): it carries the remote
 * type name, message and stack trace (both as text and, as far as it parses, as this exception's stack trace).
 */
public class RemoteTaskException extends RuntimeException {
    private static final Pattern FRAME = Pattern.compile("^\\s*at (?:[^/]+/)?([\\w$.<>]+)\\.([\\w$<>]+)\\((.*)\\)\\s*$");

    private final String remoteType;
    private final String remoteMessage;
    private final String remoteStackTrace;
    private final String originKey;

    public RemoteTaskException(String remoteType, String remoteMessage, String remoteStackTrace, String originKey) {
        super(remoteType + (remoteMessage == null || remoteMessage.isEmpty() ? "" : ": " + remoteMessage)
                + " (in task " + originKey + ")", null, true, true);
        this.remoteType = remoteType;
        this.remoteMessage = remoteMessage == null ? "" : remoteMessage;
        this.remoteStackTrace = remoteStackTrace == null ? "" : remoteStackTrace;
        this.originKey = originKey;
        StackTraceElement[] frames = parse(this.remoteStackTrace);
        if (frames.length > 0) {
            setStackTrace(frames);
        }
    }

    public String remoteType() {
        return remoteType;
    }

    public String remoteMessage() {
        return remoteMessage;
    }

    /** The remote stack trace as the worker printed it (including causes). */
    public String remoteStackTrace() {
        return remoteStackTrace;
    }

    public String originKey() {
        return originKey;
    }

    /** The frames of the top exception of a printed stack trace (up to its first "Caused by"). */
    static StackTraceElement[] parse(String text) {
        List<StackTraceElement> frames = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("Caused by") || line.trim().startsWith("Suppressed")) {
                break;
            }
            Matcher m = FRAME.matcher(line);
            if (m.matches()) {
                String where = m.group(3);
                String file = null;
                int lineNo = -1;
                int colon = where.lastIndexOf(':');
                if (colon > 0) {
                    file = where.substring(0, colon);
                    try {
                        lineNo = Integer.parseInt(where.substring(colon + 1));
                    } catch (NumberFormatException e) {
                        file = where;
                    }
                } else if (!where.equals("Unknown Source") && !where.equals("Native Method")) {
                    file = where;
                } else if (where.equals("Native Method")) {
                    lineNo = -2;
                }
                frames.add(new StackTraceElement(m.group(1), m.group(2), file, lineNo));
            }
        }
        return frames.toArray(StackTraceElement[]::new);
    }
}
