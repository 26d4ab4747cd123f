package dev.trtspark.engine.cache;

import dev.trtspark.engine.backend.ExecutionSlot;
import dev.trtspark.engine.backend.PendingBatch;
import dev.trtspark.engine.tensor.HostTensor;
import dev.trtspark.engine.tensor.ModelSignature;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One thread's use of an execution slot, from {@link EngineLease#leaseSlot()} until {@link #close()},
 * which hands the slot back to its pool (it is not freed). Closing twice is not an error. The caller
 * awaits its submitted batches before closing; the next holder's batches queue behind any it did not.
 */
public final class SlotLease implements AutoCloseable {
  private final SlotPool pool;
  private final ExecutionSlot slot;
  private final AtomicBoolean closed = new AtomicBoolean();

  SlotLease(SlotPool pool, ExecutionSlot slot) {
    this.pool = pool;
    this.slot = slot;
  }

  public ModelSignature signature() {
    return slot.signature();
  }

  /** See {@link ExecutionSlot#lanes}. */
  public int lanes() {
    return slot.lanes();
  }

  /** See {@link ExecutionSlot#cudaDevice}. */
  public int cudaDevice() {
    return open().cudaDevice();
  }

  /** See {@link ExecutionSlot#outputShapes}. */
  public Map<String, long[]> outputShapes(Map<String, long[]> inputShapes) {
    return open().outputShapes(inputShapes);
  }

  /** See {@link ExecutionSlot#submit(Map, Map)}. */
  public PendingBatch submit(Map<String, HostTensor> inputs, Map<String, HostTensor> outputs) {
    return open().submit(inputs, outputs);
  }

  /** See {@link ExecutionSlot#submit(Map, java.util.Collection, ExecutionSlot.OutputBuffers)}. */
  public PendingBatch submit(Map<String, HostTensor> inputs, java.util.Collection<String> outputs,
      ExecutionSlot.OutputBuffers buffers) {
    return open().submit(inputs, outputs, buffers);
  }

  /** See {@link ExecutionSlot#submitParts}. */
  public PendingBatch submitParts(java.util.List<ExecutionSlot.Part> parts, java.util.Collection<String> outputs) {
    return open().submitParts(parts, outputs);
  }

  private ExecutionSlot open() {
    if (closed.get()) {
      throw new IllegalStateException("slot lease is closed");
    }
    return slot;
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      pool.release(slot);
    }
  }
}
