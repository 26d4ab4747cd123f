package dev.trtspark.spark.exec;

import dev.trtspark.spark.InferenceMetrics;

import dev.trtspark.arrow.binding.InputRowException;
import dev.trtspark.arrow.memory.TensorAllocators;
import dev.trtspark.arrow.pipeline.BatchResult;
import dev.trtspark.arrow.pipeline.InferenceRunner;
import dev.trtspark.conf.InferenceSpec;
import dev.trtspark.conf.TrtConf;
import dev.trtspark.engine.Engines;
import dev.trtspark.engine.cache.EngineLease;
import dev.trtspark.engine.cache.SlotLease;
import dev.trtspark.engine.model.ModelArtifact;
import java.util.ArrayDeque;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.spark.TaskContext;

/**
 * Everything one task holds for one inference: the engine lease, an execution slot, the task's child
 * allocator of pinned memory, the pipeline runner over them, the batch being filled and the completed
 * batches not yet emitted. Every entry point (DataFrame API, ML
 * Transformer, SQL function) runs through one of these, created by {@link #open} on the task's first
 * batch and closed by the task-completion listener of {@link TaskResources}, so a failed or killed task
 * gives its slot back. Its counters go to the inference's {@link InferenceMetrics} when it closes.
 *
 * <p>Ownership: owns all of the above, including each {@link Completed} batch it hands out (valid until
 * the next {@link #next} call), and closes them in reverse order of acquisition. Threading: the task's
 * thread only.
 */
public final class TaskInference implements AutoCloseable {
  private final InferenceMetrics metrics;
  private final EngineLease engine;
  private final SlotLease slot;
  private final BufferAllocator allocator;
  private final InferenceRunner runner;
  private final InputBatchBuilder input;
  private final ArrayDeque<Object> inFlightTags = new ArrayDeque<>();
  private final ArrayDeque<Completed> ready = new ArrayDeque<>();
  private Completed current;
  private final long slotWaitNanos;
  private final int partition;
  private long inputNanos;
  private long emitNanos;
  private boolean closed;

  /** A completed batch: its outputs and the tag its input was submitted with. */
  public record Completed(BatchResult result, Object tag) {}

  private TaskInference(InferenceSpec spec, List<InputSource> sources, ModelArtifact artifact, int device, String name,
      InferenceMetrics metrics, int partition) {
    this.metrics = metrics;
    this.partition = partition;
    EngineLease e = null;
    SlotLease s = null;
    BufferAllocator a = null;
    try {
      e = Engines.lease(artifact, device, spec.config());
      metrics.addEngineLease(e.loadedHere());
      long t0 = System.nanoTime();
      s = e.leaseSlot(spec.config().get(TrtConf.SLOT_TIMEOUT_MS));
      slotWaitNanos = System.nanoTime() - t0;
      metrics.addPlacement(placement(TaskContext.get(), s.cudaDevice(), e.loadedHere()));
      a = TensorAllocators.getOrCreate(spec.config().get(TrtConf.PINNED_POOL_MAX_BYTES),
          spec.config().get(TrtConf.PINNED_POOL_IDLE_MS)).newTaskAllocator(name);
      this.runner = new InferenceRunner(s, spec.inputs(), spec.outputs(), spec.config(), a, TensorAllocators.existing());
      List<dev.trtspark.engine.tensor.TensorInfo> tensors = new java.util.ArrayList<>();
      for (InputSource src : sources) {
        tensors.add(s.signature().require(src.tensor(), true));
      }
      this.input = new InputBatchBuilder(sources, tensors, spec.config().get(TrtConf.BATCH_SIZE), a);
    } catch (RuntimeException ex) {
      // nothing is registered for cleanup yet: give everything back here
      closeQuietly(s);
      closeQuietly(e);
      closeQuietly(a);
      throw ex;
    }
    this.engine = e;
    this.slot = s;
    this.allocator = a;
  }

  private static InferenceMetrics.Placement placement(TaskContext task, int cudaDevice, boolean loaded) {
    org.apache.spark.SparkEnv env = org.apache.spark.SparkEnv.get();
    org.apache.spark.resource.ResourceInformation gpu = task == null ? null : task.resourcesJMap().get("gpu");
    return new InferenceMetrics.Placement(env == null ? "local" : env.executorId(),
        gpu == null ? List.of() : List.of(gpu.addresses()), cudaDevice, loaded);
  }

  /**
   * The task's instance for {@code key} (one inference applied in one place of the plan), created on
   * first use; without a task the caller owns it and closes it.
   */
  public static TaskInference open(TaskContext task, String key, InferenceSpec spec, List<InputSource> sources,
      ModelArtifactSource model, int partition, InferenceMetrics metrics) {
    return TaskResources.acquire(task, key, () -> new TaskInference(spec, sources, model.get(),
        TaskDevice.choose(task, spec.config(), partition),
        "trt-task-" + (task == null ? "local" : task.taskAttemptId()) + "-" + key, metrics, partition));
  }

  /** Where the model's bytes come from on an executor (the broadcast or its URI), resolved lazily. */
  @FunctionalInterface
  public interface ModelArtifactSource {
    ModelArtifact get();
  }

  /** The batch being filled. */
  InputBatchBuilder input() {
    return input;
  }

  /**
   * Submits the filled batch with {@code tag} (what the caller needs to emit its rows, such as their
   * pass-through columns; not null), keeping up to {@code spark.trt.batchesInFlight} on the device.
   */
  public void submit(Object tag) {
    InputBatchBuilder.Batch batch = input.take();
    inFlightTags.add(tag);
    List<BatchResult> done;
    try {
      done = runner.submit(batch.root(), batch.problems());
    } catch (InputRowException e) {
      inFlightTags.removeLast();
      throw new InputRowException(where() + e.getMessage());
    } catch (RuntimeException e) {
      inFlightTags.removeLast();
      throw e;
    }
    done.forEach(r -> ready.add(new Completed(r, inFlightTags.poll())));
  }

  /**
   * "partition P (file F): ", F being the file the scan was reading (an inference batch may span
   * files: the partition row in the message is exact, the file is the one being read when the row was
   * found).
   */
  private String where() {
    String file;
    try {
      file = org.apache.spark.rdd.InputFileBlockHolder.getInputFilePath().toString();
    } catch (RuntimeException | LinkageError e) {
      file = "";  // Spark-internal: without it the message still names the partition and the partition row
    }
    return "partition " + partition + (file.isEmpty() ? "" : " (reading " + file + ")") + ": ";
  }

  /**
   * The next completed batch in input order, closing the one handed out before. While the input goes
   * on ({@code endOfInput} false) this returns null when none has completed: submit more. At the end of
   * the input (or of a call, for a SQL function) it waits for the batches in flight, and returns null once
   * all were handed out.
   */
  public Completed next(boolean endOfInput) {
    releaseCurrent();
    if (ready.isEmpty() && endOfInput) {
      runner.finish().forEach(r -> ready.add(new Completed(r, inFlightTags.poll())));
    }
    current = ready.poll();
    return current;
  }

  private void releaseCurrent() {
    if (current != null) {
      current.result().close();
      current = null;
    }
  }

  /** Time the task spent pulling its input from the plan below (scan, decode, upstream operators). */
  public void addInputNanos(long nanos) {
    inputNanos += nanos;
  }

  /** Time the task spent turning results into output rows. */
  public void addEmitNanos(long nanos) {
    emitNanos += nanos;
  }

  /** Gives everything back and adds this task's counters to the metrics; idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      releaseCurrent();
      ready.forEach(c -> c.result().close());
      ready.clear();
      closeQuietly(input);
      closeQuietly(runner);
      metrics.add(runner.metrics(), new InferenceMetrics.TaskTimes(slotWaitNanos, inputNanos, emitNanos));
    } finally {
      closeQuietly(slot);
      closeQuietly(engine);
      allocator.close();
    }
  }

  static void closeQuietly(AutoCloseable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (Exception e) {
      // the first failure is the one the task reports; later ones would only hide it
    }
  }
}
