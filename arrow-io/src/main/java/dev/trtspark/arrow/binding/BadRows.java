package dev.trtspark.arrow.binding;

import dev.trtspark.conf.TrtConf;
import dev.trtspark.conf.BadRowPolicy;
import java.util.BitSet;
import java.util.EnumMap;
import java.util.Map;

/**
 * The bad rows of one batch and why. Under {@link BadRowPolicy#FAIL} the first one throws an
 * {@link InputRowException}; under {@link BadRowPolicy#NULL} it is recorded, its tensor row is fed
 * as zeros (or as it was), and its outputs come back null. Not thread-safe: one per batch.
 */
public final class BadRows {
  /** Why a row is bad. */
  public enum Reason {
    NULL_ROW, NULL_ELEMENT, WRONG_LENGTH, NON_FINITE,
    /** A nested array whose inner arrays differ in length (not a rectangular tensor). */
    RAGGED
  }

  private final BadRowPolicy policy;
  private final int batchIndex;
  private final long partitionOffset;
  private final BitSet rows = new BitSet();
  private final Map<Reason, Integer> counts = new EnumMap<>(Reason.class);

  public BadRows(BadRowPolicy policy, int batchIndex, long partitionOffset) {
    this.policy = policy;
    this.batchIndex = batchIndex;
    this.partitionOffset = partitionOffset;
  }

  /**
   * Marks {@code row} bad.
   *
   * @param problem what was found and what was expected, after "column 'c' row r ... "
   */
  void mark(int row, Reason reason, String column, String problem) {
    if (policy == BadRowPolicy.FAIL) {
      throw new InputRowException("column '" + column + "' row " + row + " of batch " + batchIndex + " (partition row "
          + (partitionOffset + row) + ") " + problem + "; set " + TrtConf.BAD_ROW_POLICY.key() + "=null to emit null outputs for such rows");
    }
    if (!rows.get(row)) {
      rows.set(row);
      counts.merge(reason, 1, Integer::sum);
    }
  }

  /** Marks a row that the batch's producer found bad (under fail: throws with its message). */
  public void mark(RowProblem p) {
    mark(p.row(), p.reason(), p.column(), p.problem());
  }

  public boolean isBad(int row) {
    return rows.get(row);
  }

  public boolean any() {
    return !rows.isEmpty();
  }

  public int count() {
    return rows.cardinality();
  }

  /** A copy of the bad rows' indexes. */
  public BitSet rows() {
    return (BitSet) rows.clone();
  }

  public Map<Reason, Integer> counts() {
    return Map.copyOf(counts);
  }
}
