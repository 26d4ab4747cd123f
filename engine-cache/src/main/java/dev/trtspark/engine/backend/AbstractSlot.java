package dev.trtspark.engine.backend;

import dev.trtspark.engine.EngineException;
import dev.trtspark.engine.tensor.HostTensor;
import dev.trtspark.engine.tensor.ModelSignature;
import dev.trtspark.engine.tensor.TensorInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What every backend's slot does the same way: check a batch against the signature, hand out output
 * memory once each output's shape is known ({@link Chunk#output}), and split a batch larger than the
 * profile's max batch into chunks of at most that many rows, whose outputs land one after the other in
 * one buffer per output. Backends implement {@link #run(List)} over the chunks.
 */
public abstract class AbstractSlot implements ExecutionSlot {
  protected final ModelSignature signature;

  protected AbstractSlot(ModelSignature signature) {
    this.signature = signature;
  }

  /** One piece of a batch, within the profile: its inputs with shapes, and the outputs to copy back. */
  public static final class Chunk {
    private final Map<String, HostTensor> inputs;
    private final Collection<String> outputs;
    private final Placement placement;

    Chunk(Map<String, HostTensor> inputs, Collection<String> outputs, Placement placement) {
      this.inputs = inputs;
      this.outputs = outputs;
      this.placement = placement;
    }

    public Map<String, HostTensor> inputs() {
      return inputs;
    }

    /** The outputs to copy back, in the caller's order. */
    public Collection<String> outputs() {
      return outputs;
    }

    /** Rows of this chunk. */
    public long rows() {
      return placement.rowsOf(inputs);
    }

    /** Where this chunk's {@code tensor} of {@code shape} goes (call once per output per chunk, in chunk order). */
    public HostTensor output(String tensor, long[] shape) {
      return placement.place(tensor, shape);
    }
  }

  /** Enqueues the chunks (of one or several parts), in order, as one batch. */
  protected abstract PendingBatch run(List<Chunk> chunks);

  /** Output shape where it does not follow from the declared shape (other dynamic dims than rows). */
  protected long[] computeOutputShape(TensorInfo out, Map<String, long[]> inputShapes) {
    throw new EngineException("output " + out.name() + " of model " + signature.model() + " has shape "
        + TensorInfo.format(out.shape()) + " with a dynamic dimension other than rows; only a run tells its size here");
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
  public PendingBatch submitParts(List<Part> parts, Collection<String> outputs) {
    List<String> wanted = new ArrayList<>();
    for (String o : outputs) {
      wanted.add(signature.require(o, false).name());
    }
    List<Chunk> chunks = new ArrayList<>();
    for (Part p : parts) {
      chunks.addAll(chunks(p.inputs(), wanted, p.buffers()));
    }
    return run(chunks);
  }

  /** One part's chunks: the part itself, or pieces of at most the max batch. */
  private List<Chunk> chunks(Map<String, HostTensor> inputs, List<String> wanted, OutputBuffers buffers) {
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
    Placement placement = new Placement(buffers, rows, rows > maxBatch);
    List<Chunk> chunks = new ArrayList<>();
    if (rows <= maxBatch) {
      chunks.add(new Chunk(inputs, wanted, placement));
    } else {
      for (String o : wanted) {
        if (!signature.require(o, false).hasDynamicBatch()) {
          throw new EngineException("model " + signature.model() + ": a batch of " + rows + " rows is larger than the "
              + "profile's max batch " + maxBatch + ", and output " + o + " has no batch dimension to split");
        }
      }
      for (long start = 0; start < rows; start += maxBatch) {
        long n = Math.min(maxBatch, rows - start);
        Map<String, HostTensor> in = new LinkedHashMap<>();
        for (Map.Entry<String, HostTensor> e : inputs.entrySet()) {
          TensorInfo t = signature.require(e.getKey(), true);
          in.put(t.name(), rowSlice(t, e.getValue(), inShapes.get(t.name()), start, n));
        }
        chunks.add(new Chunk(in, wanted, placement));
      }
    }
    return chunks;
  }

  /**
   * One batch's output memory: asked from the caller once per output, at the first chunk's shape with
   * the whole batch's rows; each chunk's part follows the previous one's.
   */
  final class Placement {
    private final OutputBuffers buffers;
    private final long rows;
    private final boolean chunked;
    private final Map<String, HostTensor> full = new LinkedHashMap<>();
    private final Map<String, long[]> shapes = new LinkedHashMap<>();
    private final Map<String, Long> written = new LinkedHashMap<>();

    Placement(OutputBuffers buffers, long rows, boolean chunked) {
      this.buffers = buffers;
      this.rows = rows;
      this.chunked = chunked;
    }

    HostTensor place(String tensor, long[] chunkShape) {
      TensorInfo t = signature.require(tensor, false);
      long bytes = TensorInfo.elements(chunkShape) * t.dataType().bytes();
      HostTensor f = full.get(tensor);
      long[] shape = shapes.get(tensor);
      if (f == null) {
        shape = chunkShape.clone();
        if (chunked) {
          shape[0] = rows;
        }
        f = buffers.allocate(tensor, shape.clone());
        long need = TensorInfo.elements(shape) * t.dataType().bytes();
        if (f == null || f.capacityBytes() < need) {
          throw new EngineException("output " + tensor + " of shape " + TensorInfo.format(shape) + " needs " + need
              + " bytes, the buffer holds " + (f == null ? 0 : f.capacityBytes()));
        }
        full.put(tensor, f);
        shapes.put(tensor, shape);
      } else if (!Arrays.equals(Arrays.copyOfRange(chunkShape, 1, chunkShape.length),
          Arrays.copyOfRange(shape, 1, shape.length))) {
        throw new EngineException("output " + tensor + " of model " + signature.model() + " has shape "
            + TensorInfo.format(chunkShape) + " in one part of a split batch and " + TensorInfo.format(shape)
            + " in another");
      }
      long offset = written.getOrDefault(tensor, 0L);
      written.put(tensor, offset + bytes);
      return f.slice(offset, bytes, chunkShape);
    }

    long rowsOf(Map<String, HostTensor> inputs) {
      Map<String, long[]> s = new LinkedHashMap<>();
      inputs.forEach((k, v) -> s.put(k, v.shape()));
      return rows(s);
    }
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
