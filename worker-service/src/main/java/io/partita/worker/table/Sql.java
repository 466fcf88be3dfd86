package io.partita.worker.table;

/** Quoting for the SQL the engine writes around a stage's query. */
final class Sql {
    private Sql() {}

    static String string(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

    static String ident(String s) {
        return "\"" + s.replace("\"", "\"\"") + "\"";
    }
}
