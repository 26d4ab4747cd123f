package dev.trtspark.engine.tensor;

import dev.trtspark.engine.EngineException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The inputs and outputs of a loaded model, in the model's order, with the rules every backend
 * applies to shapes: a batch's input shapes must lie inside each input's allowed range, except
 * dimension 0 (rows), which an {@code ExecutionSlot} splits when it exceeds {@link #maxBatch()}.
 *
 * <p>Padded dimensions: a batch pads a variable-length input ({@link TensorInfo#isPadded()}) to its
 * longest row. An output dimension that follows such an input's length (the same dimension name, as
 * ONNX {@code dim_param}s give it, e.g. {@code last_hidden_state [batch, seq, 128]} and
 * {@code input_ids [batch, seq]}) comes back cut to each row's own length, see
 * {@link #followedInputs(String)}.
 */
public final class ModelSignature {
  private final String model;
  private final List<TensorInfo> inputs;
  private final List<TensorInfo> outputs;
  private final Map<String, Map<Integer, String>> followed = new LinkedHashMap<>();
  private final long[] lengthBuckets;

  public ModelSignature(String model, List<TensorInfo> inputs, List<TensorInfo> outputs) {
    this(model, inputs, outputs, new long[0]);
  }

  /**
   * @param lengthBuckets upper bounds of the length buckets of the padded inputs, ascending (see
   *     {@link #lengthBuckets()}); empty for none
   */
  public ModelSignature(String model, List<TensorInfo> inputs, List<TensorInfo> outputs, long[] lengthBuckets) {
    this.model = model;
    this.lengthBuckets = lengthBuckets.clone();
    this.inputs = List.copyOf(inputs);
    this.outputs = List.copyOf(outputs);
    for (TensorInfo out : this.outputs) {
      long[] shape = out.shape();
      Map<Integer, String> dims = new LinkedHashMap<>();
      for (int d = 1; d < shape.length; d++) {
        String name = out.dimName(d);
        if (shape[d] >= 0 || name == null) {
          continue;
        }
        for (TensorInfo in : this.inputs) {
          if (in.isPadded() && name.equals(in.dimName(1))) {
            dims.put(d, in.name());
            break;
          }
        }
      }
      if (!dims.isEmpty()) {
        followed.put(out.name(), Map.copyOf(dims));
      }
    }
  }

  /**
   * The dimensions of {@code output} that follow the length of a padded input: dimension index to
   * input name. Empty for most outputs.
   */
  public Map<Integer, String> followedInputs(String output) {
    return followed.getOrDefault(output, Map.of());
  }

  /**
   * Upper bounds of the length buckets, ascending: a batch's rows are grouped by the longest of their
   * padded inputs ({@link TensorInfo#isPadded()}) into the first bucket that holds them, and each
   * group runs as its own sub-batch (on TensorRT with the optimization profile of that bucket). From
   * a plan's profiles, or {@code spark.trt.build.lengthBuckets} on ONNX Runtime; empty for none.
   */
  public long[] lengthBuckets() {
    return lengthBuckets.clone();
  }

  /** The same signature with these length buckets. */
  public ModelSignature withLengthBuckets(long[] buckets) {
    return new ModelSignature(model, inputs, outputs, buckets);
  }

  public List<TensorInfo> inputs() {
    return inputs;
  }

  public List<TensorInfo> outputs() {
    return outputs;
  }

  public Optional<TensorInfo> input(String name) {
    return inputs.stream().filter(t -> t.name().equals(name)).findFirst();
  }

  public Optional<TensorInfo> output(String name) {
    return outputs.stream().filter(t -> t.name().equals(name)).findFirst();
  }

  /** Looks up any tensor by name, failing with the list of the model's tensors. */
  public TensorInfo require(String name, boolean input) {
    return (input ? input(name) : output(name)).orElseThrow(() -> new EngineException(
        "model " + model + " has no " + (input ? "input" : "output") + " tensor '" + name + "'; its "
            + (input ? "inputs" : "outputs") + " are " + names(input ? inputs : outputs)));
  }

  /** Largest number of rows one enqueue accepts: the smallest max of dimension 0 over the inputs. */
  public long maxBatch() {
    long m = TensorInfo.UNBOUNDED;
    for (TensorInfo t : inputs) {
      if (t.hasDynamicBatch()) {
        m = Math.min(m, t.max()[0]);
      }
    }
    return m;
  }

  /**
   * Checks a concrete input shape against the allowed range; dimension 0 only against its minimum
   * (larger batches are split).
   *
   * @throws EngineException naming the tensor, the dimension, the value and the allowed range
   */
  public void checkInputShape(TensorInfo t, long[] shape) {
    if (shape.length != t.rank()) {
      throw new EngineException("input " + t.name() + " of model " + model + " has rank " + t.rank() + " "
          + TensorInfo.format(t.shape()) + ", got shape " + TensorInfo.format(shape));
    }
    long[] min = t.min();
    long[] max = t.max();
    for (int d = 0; d < shape.length; d++) {
      boolean batchDim = d == 0 && t.hasDynamicBatch();
      if (shape[d] < min[d] || (!batchDim && shape[d] > max[d])) {
        throw new EngineException("input " + t.name() + " of model " + model + ": dimension " + d + " is " + shape[d]
            + ", allowed " + min[d] + ".." + (max[d] == TensorInfo.UNBOUNDED ? "inf" : Long.toString(max[d]))
            + " (shape " + TensorInfo.format(shape) + ", profile " + TensorInfo.format(min) + ".."
            + TensorInfo.format(max) + ")" + (max[d] == TensorInfo.UNBOUNDED ? ""
                : "; widen the profile (" + dev.trtspark.conf.BuildConf.MAX_SHAPES.key() + ", or "
                + dev.trtspark.conf.BuildFlags.command(dev.trtspark.conf.BuildFlags.MAX_SHAPES, t.name() + ":...") + ")"));
      }
    }
  }

  /**
   * The output shape for a batch whose inputs have {@code inputShapes}, where it follows from the
   * declared shape alone (only dimension 0 dynamic). Empty when the output has other dynamic
   * dimensions (the backend then has to compute it).
   */
  public Optional<long[]> declaredOutputShape(TensorInfo out, long rows) {
    long[] s = out.shape();
    for (int d = 0; d < s.length; d++) {
      if (s[d] < 0) {
        if (d == 0) {
          s[d] = rows;
        } else {
          return Optional.empty();
        }
      }
    }
    return Optional.of(s);
  }

  public String model() {
    return model;
  }

  private static List<String> names(List<TensorInfo> ts) {
    List<String> n = new ArrayList<>();
    ts.forEach(t -> n.add(t.name()));
    return n;
  }

  /** One line per tensor, for describe() and inspect. */
  public String describe() {
    StringBuilder b = new StringBuilder();
    if (lengthBuckets.length > 1) {
      b.append("  length buckets ").append(TensorInfo.format(lengthBuckets).replace('x', ',')).append('\n');
    }
    inputs.forEach(t -> b.append("  ").append(t).append('\n'));
    for (TensorInfo t : outputs) {
      b.append("  ").append(t);
      followedInputs(t.name()).forEach((d, in) -> b.append(" (dimension ").append(d).append(" follows the length of ")
          .append(in).append(": cut to each row's own length)"));
      b.append('\n');
    }
    return b.toString();
  }

  /** Checks that {@code given} names every input of the model, and nothing else. */
  public void checkInputNames(java.util.Collection<String> given) {
    for (TensorInfo t : inputs) {
      if (!given.contains(t.name())) {
        throw new EngineException("model " + model + " needs input '" + t.name() + "', which is not bound; the bound "
            + "inputs are " + given);
      }
    }
    for (String n : given) {
      require(n, true);
    }
  }
}
