package dev.trtspark.arrow.binding;

/**
 * A bad row found by whoever filled the batch, before arrow-io sees it: something the Arrow columns
 * cannot show (a ragged nested array flattened to a list, a binary value that is not a whole number of
 * elements). The row's list is left empty; the runner marks it bad with this reason and message, under
 * the same policy as the rows it finds itself.
 *
 * @param problem what was found and what was expected, after "column 'c' row r ... "
 */
public record RowProblem(int row, String column, BadRows.Reason reason, String problem) {}
