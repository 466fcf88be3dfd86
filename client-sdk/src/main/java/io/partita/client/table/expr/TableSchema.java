package io.partita.client.table.expr;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The columns of a table, in order: names and types. */
public record TableSchema(List<Field> fields) {
    public record Field(String name, DataType type) {}

    public TableSchema {
        fields = List.copyOf(fields);
        Map<String, Field> seen = new LinkedHashMap<>();
        for (Field f : fields) {
            if (seen.put(f.name(), f) != null) {
                throw new PlanException("column " + f.name() + " appears twice in " + fieldsText(fields));
            }
        }
    }

    public List<String> names() {
        return fields.stream().map(Field::name).toList();
    }

    public boolean has(String name) {
        return fields.stream().anyMatch(f -> f.name().equals(name));
    }

    /** The type of column {@code name}; fails naming the column and this schema. */
    public DataType type(String name) {
        for (Field f : fields) {
            if (f.name().equals(name)) {
                return f.type();
            }
        }
        throw new PlanException("no column " + name + " in " + this);
    }

    @Override
    public String toString() {
        return fieldsText(fields);
    }

    private static String fieldsText(List<Field> fields) {
        return fields.stream().map(f -> f.name() + " " + f.type()).collect(Collectors.joining(", ", "[", "]"));
    }
}
