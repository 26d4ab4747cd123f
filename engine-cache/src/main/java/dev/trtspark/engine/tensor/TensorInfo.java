package dev.trtspark.engine.tensor;

import java.util.Arrays;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

/**
 * One input or output tensor of a model: name, element type, declared shape (-1 for a dynamic
 * dimension) and, for inputs, the range each dimension may take (from the TensorRT optimization
 * profile, or 1..unbounded for dynamic ONNX dimensions on ONNX Runtime). Immutable.
 */
public final class TensorInfo {
  /** Upper bound used for dimensions no profile limits. */
  public static final long UNBOUNDED = Long.MAX_VALUE;

  private final String name;
  private final boolean input;
  private final DType dataType;
  private final long[] shape;
  private final long[] min;
  private final long[] opt;
  private final long[] max;
  private final String[] dimNames;

  public TensorInfo(String name, boolean input, DType dataType, long[] shape, long[] min, long[] opt, long[] max) {
    this(name, input, dataType, shape, min, opt, max, null);
  }

  /**
   * @param dimNames the model's name of each dimension ("" or null where it has none), as ONNX
   *     {@code dim_param}s give them; null when the backend knows no names
   */
  public TensorInfo(String name, boolean input, DType dataType, long[] shape, long[] min, long[] opt, long[] max,
      String[] dimNames) {
    this.name = name;
    this.input = input;
    this.dataType = dataType;
    this.shape = shape.clone();
    this.min = min == null ? null : min.clone();
    this.opt = opt == null ? null : opt.clone();
    this.max = max == null ? null : max.clone();
    this.dimNames = new String[shape.length];
    for (int d = 0; d < shape.length; d++) {
      String n = dimNames == null || d >= dimNames.length ? null : dimNames[d];
      this.dimNames[d] = n == null || n.isEmpty() ? null : n;
    }
  }

  /** The same tensor with these dimension names. */
  public TensorInfo withDimNames(String[] names) {
    return new TensorInfo(name, input, dataType, shape, min, opt, max, names);
  }

  /** The model's name of dimension {@code d} (an ONNX {@code dim_param}), or null. */
  public String dimName(int d) {
    return dimNames[d];
  }

  public static TensorInfo output(String name, DType type, long[] shape) {
    return new TensorInfo(name, false, type, shape, null, null, null);
  }

  /**
   * Whether batches pad this input: a rank-2 input whose dimension 1 is dynamic takes each batch's
   * longest row, and shorter rows are padded (see arrow-io's InputColumn).
   */
  public boolean isPadded() {
    return input && shape.length == 2 && shape[1] < 0;
  }

  public String name() {
    return name;
  }

  public boolean isInput() {
    return input;
  }

  public DType dataType() {
    return dataType;
  }

  public int rank() {
    return shape.length;
  }

  /** Declared shape; -1 marks a dynamic dimension. A fresh copy. */
  public long[] shape() {
    return shape.clone();
  }

  /** Smallest allowed shape (inputs only). */
  public long[] min() {
    return min.clone();
  }

  public long[] opt() {
    return opt.clone();
  }

  /** Largest allowed shape (inputs only); {@link #UNBOUNDED} where nothing limits it. */
  public long[] max() {
    return max.clone();
  }

  /** Whether dimension 0 is dynamic: the model takes a batch of rows. */
  public boolean hasDynamicBatch() {
    return shape.length > 0 && shape[0] < 0;
  }

  /** Elements in one row: the product of dimensions 1..n for a concrete shape. */
  public static long elementsPerRow(long[] concrete) {
    long n = 1;
    for (int i = 1; i < concrete.length; i++) {
      n = Math.multiplyExact(n, concrete[i]);
    }
    return n;
  }

  public static long elements(long[] concrete) {
    long n = 1;
    for (long d : concrete) {
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  public static String format(long[] dims) {
    return LongStream.of(dims).mapToObj(d -> d == UNBOUNDED ? "inf" : Long.toString(d))
        .collect(Collectors.joining("x", "[", "]"));
  }

  @Override
  public String toString() {
    String s = (input ? "input " : "output ") + name + " " + dataType.display() + " " + Arrays.toString(shape);
    return input && min != null ? s + " profile " + format(min) + ".." + format(max) : s;
  }
}
