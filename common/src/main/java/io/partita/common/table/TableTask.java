package io.partita.common.table;

import java.io.Serializable;

/**
 * What a table task asks the worker's engine to do: the first, literal argument of a task whose function is
 * {@link TableFunction}. The other arguments are the upstream partitions the task reads, in order.
 */
public sealed interface TableTask extends Serializable permits TableStage, InspectParquet, InspectCsv {
}
