package dev.trtspark.engine.backend;

/**
 * A submitted batch. {@link #await()} blocks until its outputs are in host memory and rethrows, on
 * the caller's thread, any failure of the batch with context.
 */
public interface PendingBatch {
  /** Blocks until the outputs are in host memory. Calling it again returns at once. */
  void await();

  /** Time per stage; valid once {@link #await()} returned. */
  default StageTimes timings() {
    return StageTimes.ZERO;
  }

  /** A batch that has already run, in {@code times}. */
  static PendingBatch completed(StageTimes times) {
    return new PendingBatch() {
      @Override
      public void await() {}

      @Override
      public StageTimes timings() {
        return times;
      }
    };
  }
}
