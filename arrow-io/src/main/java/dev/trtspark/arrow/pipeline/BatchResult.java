package dev.trtspark.arrow.pipeline;

import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * The outputs of one input batch, in the order batches were submitted: one column per output binding,
 * {@link #rows()} rows, null where the input row was bad. The caller owns it and
 * closes it, which returns its (pinned) buffers to the pool.
 */
public final class BatchResult implements AutoCloseable {
  private final int batchIndex;
  private final long partitionOffset;
  private final VectorSchemaRoot outputs;

  BatchResult(int batchIndex, long partitionOffset, VectorSchemaRoot outputs) {
    this.batchIndex = batchIndex;
    this.partitionOffset = partitionOffset;
    this.outputs = outputs;
  }

  /** 0 for the first batch the runner was given. */
  public int batchIndex() {
    return batchIndex;
  }

  /** Rows of the partition before this batch. */
  public long partitionOffset() {
    return partitionOffset;
  }

  public int rows() {
    return outputs.getRowCount();
  }

  public VectorSchemaRoot outputs() {
    return outputs;
  }

  @Override
  public void close() {
    outputs.close();
  }
}
