package io.partita.it.metrics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A scrape in the Prometheus text format (version 0.0.4), parsed by its grammar: {@code # HELP} and {@code # TYPE}
 * lines, then samples {@code name{label="value",...} value [timestamp]} with escaped label values ({@code \\},
 * {@code \"}, {@code \n}) and the special values NaN, +Inf and -Inf. Throws on any line it cannot read, so a test
 * also checks that the output is well formed. (No Java library parses this format; Prometheus's own parser is Go.)
 */
final class PrometheusText {
    record Sample(String name, Map<String, String> labels, double value) {}

    private final List<Sample> samples = new ArrayList<>();
    private final Map<String, String> types = new HashMap<>();
    private final Map<String, String> help = new HashMap<>();

    private PrometheusText() {}

    static PrometheusText parse(String text) {
        PrometheusText p = new PrometheusText();
        int n = 0;
        for (String line : text.split("\n", -1)) {
            n++;
            if (line.isBlank()) {
                continue;
            }
            try {
                p.line(line);
            } catch (RuntimeException e) {
                throw new AssertionError("line " + n + " is not in the Prometheus text format (" + e.getMessage() + "): " + line, e);
            }
        }
        return p;
    }

    private void line(String line) {
        if (line.startsWith("#")) {
            String[] parts = line.split(" ", 4);
            if (parts.length >= 3 && parts[1].equals("TYPE")) {
                if (parts.length != 4 || !parts[3].matches("counter|gauge|histogram|summary|untyped")) {
                    throw new IllegalArgumentException("bad TYPE");
                }
                if (types.put(parts[2], parts[3]) != null) {
                    throw new IllegalArgumentException("second TYPE for " + parts[2]);
                }
            } else if (parts.length >= 3 && parts[1].equals("HELP")) {
                help.put(parts[2], parts.length == 4 ? parts[3] : "");
            }
            return; // other comments are allowed
        }
        int i = 0;
        while (i < line.length() && isNameChar(line.charAt(i), i == 0)) {
            i++;
        }
        if (i == 0) {
            throw new IllegalArgumentException("no metric name");
        }
        String name = line.substring(0, i);
        Map<String, String> labels = new LinkedHashMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (line.charAt(i) != '}') {
                int start = i;
                while (isNameChar(line.charAt(i), i == start)) {
                    i++;
                }
                String label = line.substring(start, i);
                if (label.isEmpty() || line.charAt(i) != '=' || line.charAt(i + 1) != '"') {
                    throw new IllegalArgumentException("bad label at " + start);
                }
                i += 2;
                StringBuilder value = new StringBuilder();
                for (char c = line.charAt(i); c != '"'; c = line.charAt(i)) {
                    if (c == '\\') {
                        char e = line.charAt(++i);
                        value.append(switch (e) {
                            case '\\' -> '\\';
                            case '"' -> '"';
                            case 'n' -> '\n';
                            default -> throw new IllegalArgumentException("bad escape \\" + e);
                        });
                    } else {
                        value.append(c);
                    }
                    i++;
                }
                i++; // closing quote
                if (labels.put(label, value.toString()) != null) {
                    throw new IllegalArgumentException("label " + label + " twice");
                }
                if (line.charAt(i) == ',') {
                    i++;
                }
            }
            i++;
        }
        String[] rest = line.substring(i).trim().split(" +");
        if (rest.length < 1 || rest.length > 2 || rest[0].isEmpty()) {
            throw new IllegalArgumentException("expected a value and an optional timestamp");
        }
        if (rest.length == 2) {
            Long.parseLong(rest[1]);
        }
        samples.add(new Sample(name, labels, value(rest[0])));
    }

    private static double value(String s) {
        return switch (s) {
            case "NaN" -> Double.NaN;
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(s);
        };
    }

    private static boolean isNameChar(char c, boolean first) {
        return Character.isLetter(c) && c < 128 || c == '_' || c == ':' || !first && c >= '0' && c <= '9';
    }

    List<Sample> samples() {
        return samples;
    }

    /** The declared type of family {@code name} (a histogram's samples add _bucket, _count, _sum). */
    String type(String family) {
        return types.get(family);
    }

    Map<String, String> types() {
        return types;
    }

    /** The samples named {@code name} whose labels include {@code labelPairs} (name, value, name, value...). */
    List<Sample> select(String name, String... labelPairs) {
        List<Sample> out = new ArrayList<>();
        for (Sample s : samples) {
            if (s.name().equals(name) && matches(s.labels(), labelPairs)) {
                out.add(s);
            }
        }
        return out;
    }

    /** The one sample named {@code name} with these labels (throws when there is none or several). */
    double value(String name, String... labelPairs) {
        List<Sample> found = select(name, labelPairs);
        if (found.size() != 1) {
            throw new AssertionError(found.size() + " samples " + name + " " + List.of(labelPairs) + " in the scrape");
        }
        return found.getFirst().value();
    }

    /** The sum of the samples named {@code name} with these labels (0 when there are none). */
    double sum(String name, String... labelPairs) {
        return select(name, labelPairs).stream().mapToDouble(Sample::value).sum();
    }

    private static boolean matches(Map<String, String> labels, String[] pairs) {
        for (int i = 0; i < pairs.length; i += 2) {
            if (!pairs[i + 1].equals(labels.get(pairs[i]))) {
                return false;
            }
        }
        return true;
    }
}
