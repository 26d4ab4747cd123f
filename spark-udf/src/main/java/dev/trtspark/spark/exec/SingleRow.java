package dev.trtspark.spark.exec;

import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.StructType;

/**
 * Runs one row (a SQL function call) through a task's {@link TaskInference}: a batch of one, submitted
 * and waited for, so the row goes through the same conversions, checks and bad-row policy as a batch.
 * Threading: one thread.
 */
public final class SingleRow {
  private final OutputRowWriter writer;

  public SingleRow(StructType outputs) {
    this.writer = new OutputRowWriter(new StructType(), outputs);
  }

  /**
   * The outputs of {@code row} (whose columns are the inference's inputs, in binding order), or null
   * when the row was bad and the policy is {@code null}.
   */
  public InternalRow run(TaskInference inference, InternalRow row) {
    int[] ordinals = new int[row.numFields()];
    for (int i = 0; i < ordinals.length; i++) {
      ordinals[i] = i;
    }
    inference.input().appendRow(row, ordinals);
    inference.submit(Boolean.TRUE);
    TaskInference.Completed done = inference.next(true);
    if (done.result().badRows().get(0)) {
      return null;
    }
    return writer.write(InferenceIterator.NO_COLUMNS, done.result().outputs(), 0).copy();
  }
}
