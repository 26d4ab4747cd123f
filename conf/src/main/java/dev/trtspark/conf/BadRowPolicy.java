package dev.trtspark.conf;

/** What happens to an input row that cannot be turned into a tensor (null, ragged, non-finite when not allowed). */
public enum BadRowPolicy {
  /** Fail the task with a message naming the column, the row and what was expected. */
  FAIL,
  /** Emit null outputs for that row, keep every other row, and count it in the metrics. */
  NULL
}
