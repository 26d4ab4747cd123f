package dev.trtspark.engine.backend;

import dev.trtspark.engine.EngineException;
import dev.trtspark.engine.tensor.HostTensor;
import dev.trtspark.engine.tensor.ModelSignature;
import dev.trtspark.engine.tensor.TensorInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What every backend's slot does the same way: check a batch against the signature, size outputs,
 * and split a batch larger than the profile's max batch into chunks of at most that many rows.
 * Backends implement {@link #run(List)} over the chunks.
 */
public abstract class AbstractSlot implements ExecutionSlot {
  protected final ModelSignature signature;

  protected AbstractSlot(ModelSignature signature) {
    this.signature = signature;
  }

  /** One piece of a batch, within the profile: inputs with shapes, outputs with their shapes. */
  public record Chunk(Map<String, HostTensor> inputs, Map<String, HostTensor> outputs) {}

  /** Enqueues the chunks, in order, as one batch. */
  protected abstract PendingBatch run(List<Chunk> chunks);

  /** Output shape where it does not follow from the declared shape (other dynamic dims than rows). */
  protected long[] computeOutputShape(TensorInfo out, Map<String, long[]> inputShapes) {
    throw new EngineException("output " + out.name() + " of model " + signature.model() + " has shape "
        + TensorInfo.format(out.shape()) + " with a dynamic dimension other than rows; this backend cannot size it");
  }

  @Override
  public ModelSignature signature() {
    return signature;
  }

  @Override
  public Map<String, long[]> outputShapes(Map<String, long[]> inputShapes) {
    long rows = rows(inputShapes);
    Map<String, long[]> out = new LinkedHashMap<>();
    for (TensorInfo t : signature.outputs()) {
      out.put(t.name(), signature.declaredOutputShape(t, rows).orElseGet(() -> computeOutputShape(t, inputShapes)));
    }
    return out;
  }

  @Override
  public PendingBatch submit(Map<String, HostTensor> inputs, Map<String, HostTensor> outputs) {
    signature.checkInputNames(inputs.keySet());
    Map<String, long[]> inShapes = new LinkedHashMap<>();
    for (Map.Entry<String, HostTensor> e : inputs.entrySet()) {
      TensorInfo t = signature.require(e.getKey(), true);
      long[] shape = e.getValue().shape();
      if (shape == null) {
        throw new EngineException("input " + t.name() + " of model " + signature.model() + " was given without a shape");
      }
      signature.checkInputShape(t, shape);
      long need = TensorInfo.elements(shape) * t.dataType().bytes();
      if (e.getValue().capacityBytes() < need) {
        throw new EngineException("input " + t.name() + " of shape " + TensorInfo.format(shape) + " needs " + need
            + " bytes, the buffer holds " + e.getValue().capacityBytes());
      }
      inShapes.put(t.name(), shape);
    }
    long rows = rows(inShapes);
    long maxBatch = signature.maxBatch();
    if (rows <= maxBatch) {
      return run(List.of(new Chunk(inputs, shapedOutputs(outputs, inShapes))));
    }
    // each chunk's outputs are sized from that chunk's inputs (a model may have outputs whose other
    // dimensions TensorRT must compute, and it accepts only shapes inside the profile)
    List<Chunk> chunks = new ArrayList<>();
    Map<String, Long> written = new LinkedHashMap<>();
    Map<String, long[]> fullShapes = new LinkedHashMap<>();
    for (long start = 0; start < rows; start += maxBatch) {
      long n = Math.min(maxBatch, rows - start);
      Map<String, HostTensor> in = new LinkedHashMap<>();
      Map<String, long[]> chunkShapes = new LinkedHashMap<>();
      for (Map.Entry<String, HostTensor> e : inputs.entrySet()) {
        TensorInfo t = signature.require(e.getKey(), true);
        HostTensor h = rowSlice(t, e.getValue(), inShapes.get(t.name()), start, n);
        in.put(t.name(), h);
        chunkShapes.put(t.name(), h.shape());
      }
      Map<String, long[]> chunkOut = outputShapes(chunkShapes);
      Map<String, HostTensor> out = new LinkedHashMap<>();
      for (Map.Entry<String, HostTensor> e : outputs.entrySet()) {
        TensorInfo t = signature.require(e.getKey(), false);
        if (!t.hasDynamicBatch()) {
          throw new EngineException("model " + signature.model() + ": a batch of " + rows + " rows is larger than the "
              + "profile's max batch " + maxBatch + ", and output " + t.name() + " has no batch dimension to split");
        }
        long[] shape = chunkOut.get(t.name());
        long bytes = TensorInfo.elements(shape) * t.dataType().bytes();
        long offset = written.getOrDefault(t.name(), 0L);
        if (offset + bytes > e.getValue().capacityBytes()) {
          throw new EngineException("output " + t.name() + " of a " + rows + "-row batch needs more than the "
              + e.getValue().capacityBytes() + " bytes its buffer holds");
        }
        out.put(t.name(), e.getValue().slice(offset, bytes, shape));
        written.put(t.name(), offset + bytes);
        long[] full = shape.clone();
        full[0] = rows;
        fullShapes.put(t.name(), full);
      }
      chunks.add(new Chunk(in, out));
    }
    PendingBatch last = run(chunks);
    return new PendingBatch() {
      @Override
      public Map<String, long[]> outputShapes() {
        return fullShapes;
      }

      @Override
      public boolean isDone() {
        return last.isDone();
      }

      @Override
      public void await() {
        last.await();
      }

      @Override
      public StageTimes timings() {
        return last.timings();
      }
    };
  }

  private Map<String, HostTensor> shapedOutputs(Map<String, HostTensor> outputs, Map<String, long[]> inShapes) {
    Map<String, long[]> shapes = outputShapes(inShapes);
    Map<String, HostTensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, HostTensor> e : outputs.entrySet()) {
      TensorInfo t = signature.require(e.getKey(), false);
      long[] shape = shapes.get(t.name());
      long need = TensorInfo.elements(shape) * t.dataType().bytes();
      if (e.getValue().capacityBytes() < need) {
        throw new EngineException("output " + t.name() + " of shape " + TensorInfo.format(shape) + " needs " + need
            + " bytes, the buffer holds " + e.getValue().capacityBytes());
      }
      out.put(t.name(), e.getValue().withShape(shape));
    }
    return out;
  }

  private HostTensor rowSlice(TensorInfo t, HostTensor h, long[] shape, long start, long n) {
    if (!t.hasDynamicBatch()) {
      throw new EngineException("model " + signature.model() + ": a batch of " + shape[0] + " rows is larger than the "
          + "profile's max batch " + signature.maxBatch() + ", and tensor " + t.name() + " has no batch dimension to split");
    }
    long rowBytes = TensorInfo.elementsPerRow(shape) * t.dataType().bytes();
    long[] s = shape.clone();
    s[0] = n;
    return h.slice(start * rowBytes, n * rowBytes, s);
  }

  private long rows(Map<String, long[]> inputShapes) {
    long rows = -1;
    String first = null;
    for (TensorInfo t : signature.inputs()) {
      long[] s = inputShapes.get(t.name());
      if (s == null || !t.hasDynamicBatch()) {
        continue;
      }
      if (rows < 0) {
        rows = s[0];
        first = t.name();
      } else if (s[0] != rows) {
        throw new EngineException("model " + signature.model() + ": inputs disagree on rows: " + first + " has " + rows
            + ", " + t.name() + " has " + s[0]);
      }
    }
    return rows < 0 ? 1 : rows;
  }
}
