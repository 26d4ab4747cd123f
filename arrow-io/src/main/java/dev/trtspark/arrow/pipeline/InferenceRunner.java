package dev.trtspark.arrow.pipeline;

import dev.trtspark.arrow.binding.BadRows;
import dev.trtspark.arrow.binding.InputColumn;
import dev.trtspark.arrow.binding.OutputColumn;
import dev.trtspark.arrow.binding.RowProblem;
import dev.trtspark.arrow.memory.TensorAllocators;
import dev.trtspark.conf.BadRowPolicy;
import dev.trtspark.conf.ResolvedConfig;
import dev.trtspark.conf.TensorBinding;
import dev.trtspark.conf.TrtConf;
import dev.trtspark.engine.EngineException;
import dev.trtspark.engine.backend.ExecutionSlot;
import dev.trtspark.engine.backend.PendingBatch;
import dev.trtspark.engine.backend.StageTimes;
import dev.trtspark.engine.cache.SlotLease;
import dev.trtspark.engine.tensor.HostTensor;
import dev.trtspark.engine.tensor.ModelSignature;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Runs one task's Arrow batches through one execution slot, keeping up to
 * {@code spark.trt.batchesInFlight} batches on the device while the caller fills the next: each
 * {@link #submit} stages the batch's columns (zero copy where it can), waits for the oldest batch only
 * when that many are already in flight, enqueues H2D, inference and D2H, and returns the batches that
 * completed, in input order. On ONNX Runtime the same calls run synchronously.
 *
 * <p>Ownership: {@link #submit} takes the input batch and closes it when its outputs are back (zero
 * copy reads its buffers until then); staging buffers and output vectors come from the task's
 * allocator; each {@link BatchResult} belongs to the caller. {@link #close()} waits for what is in
 * flight and frees it; it does not close the slot lease or the allocator.
 *
 * <p>Threading: one thread (the task's). Errors surface on that thread, with the batch and its rows.
 */
public final class InferenceRunner implements AutoCloseable {
  private final SlotLease slot;
  private final List<TensorBinding> inputBindings;
  private final List<OutputColumn> outputs = new ArrayList<>();
  private final Map<String, OutputColumn> byTensor = new LinkedHashMap<>();
  private final List<String> outputNames = new ArrayList<>();
  private final BufferAllocator allocator;
  private final TensorAllocators tensors;
  private final BadRowPolicy policy;
  private final boolean allowNonFinite;
  private final int maxInFlight;
  private final ArrayDeque<InFlight> pending = new ArrayDeque<>();
  private List<InputColumn> inputs;
  private Schema boundSchema;
  private int batchIndex;
  private long partitionOffset;
  private boolean closed;

  private long batches;
  private long rows;
  private long badRows;
  private final Map<BadRows.Reason, Long> badByReason = new EnumMap<>(BadRows.Reason.class);
  private long zeroCopyInputs;
  private long copiedInputs;
  private long fillNanos;
  private long h2dNanos;
  private long computeNanos;
  private long d2hNanos;
  private long waitNanos;

  private long paddedElements;
  private long valueElements;
  private final boolean bucketing;
  private final long[] buckets;

  /**
   * One part of a batch: all its rows ({@code select} null), or the rows {@code select} of one length
   * bucket; its output columns and its padded inputs' row lengths.
   */
  private record Part(int[] select, Map<String, OutputColumn.Allocated> outputs, Map<String, int[]> lengths) {}

  private record InFlight(int index, long offset, int rows, VectorSchemaRoot input, List<ArrowBuf> staging,
      List<Part> parts, PendingBatch pending, BadRows bad) {}

  public InferenceRunner(SlotLease slot, List<TensorBinding> inputs, List<TensorBinding> outputs, ResolvedConfig config,
      BufferAllocator allocator, TensorAllocators tensors) {
    this.slot = slot;
    this.inputBindings = List.copyOf(inputs);
    this.allocator = allocator;
    this.tensors = tensors;
    this.policy = config.get(TrtConf.BAD_ROW_POLICY);
    this.allowNonFinite = config.get(TrtConf.ALLOW_NON_FINITE);
    // the slot's lanes were fixed when its engine was first loaded in this JVM
    this.maxInFlight = Math.min(config.get(TrtConf.BATCHES_IN_FLIGHT), slot.lanes());
    ModelSignature sig = slot.signature();
    this.buckets = sig.lengthBuckets();
    this.bucketing = config.get(TrtConf.LENGTH_BUCKETING) && buckets.length > 1;
    for (TensorBinding b : outputs) {
      OutputColumn o = OutputColumn.bind(b, sig.require(b.tensor(), false), sig.followedInputs(b.tensor()));
      if (byTensor.putIfAbsent(b.tensor(), o) != null) {
        throw new EngineException("output tensor '" + b.tensor() + "' is bound twice; bind each output once");
      }
      this.outputs.add(o);
      outputNames.add(b.tensor());
    }
  }

  /**
   * Checks that a table with {@code schema} can feed the model's inputs, failing with the column, its
   * type and what the tensor takes.
   */
  public static List<InputColumn> bindInputs(ModelSignature signature, List<TensorBinding> bindings, Schema schema) {
    signature.checkInputNames(bindings.stream().map(TensorBinding::tensor).toList());
    List<InputColumn> out = new ArrayList<>();
    for (TensorBinding b : bindings) {
      Field field = schema.getFields().stream().filter(f -> f.getName().equals(b.column())).findFirst()
          .orElseThrow(() -> new EngineException("input column '" + b.column() + "' (for tensor '" + b.tensor()
              + "') is not in the batch; its columns are " + schema.getFields().stream().map(Field::getName).toList()));
      out.add(InputColumn.bind(b, signature.require(b.tensor(), true), field));
    }
    return out;
  }

  /**
   * Submits one batch (the runner takes ownership of it) and returns the batches that completed, in
   * submission order; possibly none.
   */
  public List<BatchResult> submit(VectorSchemaRoot batch) {
    return submit(batch, List.of());
  }

  /**
   * As {@link #submit(VectorSchemaRoot)}, with rows its producer already found bad (their lists left
   * empty): they are bad rows under the batch's policy, with the producer's reason and message.
   */
  public List<BatchResult> submit(VectorSchemaRoot batch, List<RowProblem> problems) {
    if (closed) {
      batch.close();
      throw new IllegalStateException("runner is closed");
    }
    long t0 = System.nanoTime();
    if (inputs == null || !batch.getSchema().equals(boundSchema)) {
      try {
        inputs = bindInputs(slot.signature(), inputBindings, batch.getSchema());
        boundSchema = batch.getSchema();
      } catch (RuntimeException e) {
        batch.close();
        throw e;
      }
    }
    int n = batch.getRowCount();
    BadRows bad = new BadRows(policy, batchIndex, partitionOffset);
    try {
      problems.forEach(bad::mark);
    } catch (RuntimeException e) {
      batch.close();
      throw e;
    }
    List<ArrowBuf> staging = new ArrayList<>();
    List<Part> parts = new ArrayList<>();
    InFlight flight;
    List<BatchResult> done = new ArrayList<>();
    try {
      List<ExecutionSlot.Part> slotParts = new ArrayList<>();
      for (int[] select : groups(batch, n)) {
        Part part = new Part(select, new LinkedHashMap<>(), new LinkedHashMap<>());
        parts.add(part);
        Map<String, HostTensor> in = new LinkedHashMap<>();
        for (InputColumn c : inputs) {
          InputColumn.Staged s = c.stage(batch.getVector(c.binding().column()), n, select, bad, allowNonFinite, allocator,
              tensors);
          if (s.owned() != null) {
            staging.add(s.owned());
            copiedInputs++;
          } else {
            zeroCopyInputs++;
          }
          in.put(c.tensor().name(), s.tensor());
          if (s.lengths() != null) {
            part.lengths().put(c.tensor().name(), s.lengths());
          }
          if (c.padded()) {
            paddedElements += s.elements();
            valueElements += s.values();
          }
        }
        // each output column is allocated as soon as the backend knows the tensor's shape
        slotParts.add(new ExecutionSlot.Part(in, (tensor, shape) -> {
          OutputColumn.Allocated a = byTensor.get(tensor).allocate(shape, allocator);
          part.outputs().put(tensor, a);
          return a.target();
        }));
      }
      fillNanos += System.nanoTime() - t0;
      while (pending.size() >= maxInFlight) {
        done.add(complete(pending.poll()));
      }
      PendingBatch p = n > 0 ? slot.submitParts(slotParts, outputNames) : PendingBatch.completed(StageTimes.ZERO);
      flight = new InFlight(batchIndex, partitionOffset, n, batch, staging, parts, p, bad);
      pending.add(flight);
      batchIndex++;
      partitionOffset += n;
      return done;
    } catch (RuntimeException e) {
      done.forEach(BatchResult::close);
      staging.forEach(ArrowBuf::close);
      parts.forEach(InferenceRunner::release);
      batch.close();
      throw e instanceof EngineException ? e : new EngineException("batch " + batchIndex + " (partition rows "
          + partitionOffset + ".." + (partitionOffset + n - 1) + ") failed: " + e, e);
    }
  }

  /**
   * The batch's rows grouped by length bucket, each group in input order, the groups in bucket order:
   * a row's length is the longest of its padded inputs, its bucket the first whose bound holds it (a
   * row longer than every bound goes to the last, where it is found bad). One group of all rows
   * ({@code null}) without bucketing, or when every row falls in one bucket.
   */
  private List<int[]> groups(VectorSchemaRoot batch, int n) {
    if (!bucketing || n < 2) {
      return java.util.Collections.singletonList(null);
    }
    int[] length = null;
    for (InputColumn c : inputs) {
      if (c.padded()) {
        int[] l = c.rowLengths(batch.getVector(c.binding().column()), n);
        if (length == null) {
          length = l;
        } else {
          for (int i = 0; i < n; i++) {
            length[i] = Math.max(length[i], l[i]);
          }
        }
      }
    }
    if (length == null) {
      return java.util.Collections.singletonList(null);
    }
    int[] bucket = new int[n];
    int[] count = new int[buckets.length];
    for (int i = 0; i < n; i++) {
      int b = 0;
      while (b < buckets.length - 1 && length[i] > buckets[b]) {
        b++;
      }
      bucket[i] = b;
      count[b]++;
    }
    List<int[]> out = new ArrayList<>();
    for (int b = 0; b < buckets.length; b++) {
      if (count[b] == n) {
        return java.util.Collections.singletonList(null);
      }
      if (count[b] > 0) {
        int[] rows = new int[count[b]];
        int k = 0;
        for (int i = 0; i < n; i++) {
          if (bucket[i] == b) {
            rows[k++] = i;
          }
        }
        out.add(rows);
      }
    }
    return out;
  }

  /** Waits for every batch in flight and returns them in order. */
  public List<BatchResult> finish() {
    List<BatchResult> done = new ArrayList<>();
    while (!pending.isEmpty()) {
      done.add(complete(pending.poll()));
    }
    return done;
  }

  private BatchResult complete(InFlight f) {
    long w0 = System.nanoTime();
    try {
      f.pending().await();
    } catch (RuntimeException e) {
      discard(f);
      throw new EngineException("batch " + f.index() + " (partition rows " + f.offset() + ".." + (f.offset() + f.rows() - 1)
          + ") failed: " + e.getMessage(), e);
    }
    waitNanos += System.nanoTime() - w0;
    StageTimes t = f.pending().timings();
    h2dNanos += t.h2dNanos();
    computeNanos += t.computeNanos();
    d2hNanos += t.d2hNanos();
    f.staging().forEach(ArrowBuf::close);
    f.input().close();
    List<FieldVector> vectors = new ArrayList<>();
    if (f.rows() == 0) {
      for (OutputColumn o : outputs) {
        FieldVector v = o.field().createVector(allocator);
        v.setValueCount(0);
        vectors.add(v);
      }
    } else if (f.parts().size() == 1 && f.parts().get(0).select() == null) {
      Part p = f.parts().get(0);
      for (OutputColumn o : outputs) {
        vectors.add(o.finish(p.outputs().get(o.tensor().name()), f.bad().rows(), p.lengths()));
      }
    } else {
      vectors.addAll(reorder(f));
    }
    VectorSchemaRoot root = new VectorSchemaRoot(vectors);
    root.setRowCount(f.rows());
    batches++;
    rows += f.rows();
    badRows += f.bad().count();
    f.bad().counts().forEach((r, c) -> badByReason.merge(r, (long) c, Long::sum));
    return new BatchResult(f.index(), f.offset(), root);
  }

  /** The outputs of a batch that ran in parts, each part finished, then put back in input order. */
  private List<FieldVector> reorder(InFlight f) {
    int[] partOf = new int[f.rows()];
    int[] indexIn = new int[f.rows()];
    List<List<FieldVector>> finished = new ArrayList<>();
    for (int p = 0; p < f.parts().size(); p++) {
      int[] select = f.parts().get(p).select();
      java.util.BitSet bad = new java.util.BitSet();
      for (int k = 0; k < select.length; k++) {
        partOf[select[k]] = p;
        indexIn[select[k]] = k;
        bad.set(k, f.bad().isBad(select[k]));
      }
      List<FieldVector> vs = new ArrayList<>();
      for (OutputColumn o : outputs) {
        vs.add(o.finish(f.parts().get(p).outputs().get(o.tensor().name()), bad, f.parts().get(p).lengths()));
      }
      finished.add(vs);
    }
    List<FieldVector> out = new ArrayList<>();
    try {
      for (int i = 0; i < outputs.size(); i++) {
        List<FieldVector> column = new ArrayList<>();
        for (List<FieldVector> vs : finished) {
          column.add(vs.get(i));
        }
        out.add(outputs.get(i).gather(column, partOf, indexIn, allocator));
      }
      return out;
    } catch (RuntimeException e) {
      out.forEach(FieldVector::close);
      throw e;
    } finally {
      finished.forEach(vs -> vs.forEach(FieldVector::close));
    }
  }

  private void discard(InFlight f) {
    f.staging().forEach(ArrowBuf::close);
    f.parts().forEach(InferenceRunner::release);
    f.input().close();
  }

  private static void release(Part p) {
    p.outputs().values().forEach(InferenceRunner::release);
  }

  private static void release(OutputColumn.Allocated a) {
    if (a.staging() != null) {
      a.staging().close();
    }
    a.vector().close();
  }

  public PipelineMetrics metrics() {
    return new PipelineMetrics(batches, rows, badRows, Map.copyOf(badByReason), zeroCopyInputs, copiedInputs,
        paddedElements, valueElements, fillNanos, h2dNanos, computeNanos, d2hNanos, waitNanos);
  }

  /** Waits for and frees every batch still in flight (their results are dropped). Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    RuntimeException first = null;
    while (!pending.isEmpty()) {
      InFlight f = pending.poll();
      try {
        f.pending().await();
      } catch (RuntimeException e) {
        first = first == null ? e : first;
      }
      discard(f);
    }
    if (first != null) {
      throw first;
    }
  }
}
