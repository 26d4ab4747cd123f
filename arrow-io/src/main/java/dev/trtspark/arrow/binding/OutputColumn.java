package dev.trtspark.arrow.binding;

import dev.trtspark.conf.TensorBinding;
import dev.trtspark.engine.tensor.HostTensor;
import dev.trtspark.engine.tensor.TensorInfo;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;

/**
 * One output binding (tensor -&gt; column): per-row scalars (rank-1 tensors) become a primitive
 * column, everything else a {@code list} column with the row's values flattened row-major. Vectors
 * are allocated per batch from the task's (pinned) allocator and the device-to-host copy lands in their
 * data buffers directly; half, bfloat16 and bool tensors come back through a staging buffer and are
 * widened to float / packed to bits. Bad rows come back null. An output dimension that follows a
 * padded input's length (see {@code ModelSignature#followedInputs}) comes back cut to each row's own
 * length, so a row's values never depend on the other rows of its batch.
 *
 * <p>Immutable; thread-safe.
 */
public final class OutputColumn {
  private final TensorBinding binding;
  private final TensorInfo tensor;
  private final Field field;
  /** Dimensions cut back to a padded input's row length: dimension index to input name. */
  private final Map<Integer, String> followed;

  private OutputColumn(TensorBinding binding, TensorInfo tensor, Map<Integer, String> followed) {
    this.binding = binding;
    this.tensor = tensor;
    this.followed = Map.copyOf(followed);
    ArrowType element = ElementType.outputArrowType(tensor.dataType());
    if (tensor.rank() <= 1) {
      this.field = new Field(binding.column(), FieldType.nullable(element), null);
    } else {
      Field child = new Field("element", FieldType.notNullable(element), null);
      this.field = new Field(binding.column(), FieldType.nullable(ArrowType.List.INSTANCE), List.of(child));
    }
  }

  public static OutputColumn bind(TensorBinding binding, TensorInfo tensor) {
    return new OutputColumn(binding, tensor, Map.of());
  }

  /**
   * An output column whose dimensions {@code followed} (index to input name) follow the length of a
   * padded input: each row comes back cut to that row's own length, so a row's output does not
   * depend on which rows shared its batch.
   */
  public static OutputColumn bind(TensorBinding binding, TensorInfo tensor, Map<Integer, String> followed) {
    return new OutputColumn(binding, tensor, followed);
  }

  public TensorBinding binding() {
    return binding;
  }

  public TensorInfo tensor() {
    return tensor;
  }

  /** The Arrow field of the output column. */
  public Field field() {
    return field;
  }

  /** The output vector of one batch and where the device copies its tensor to. */
  public record Allocated(FieldVector vector, HostTensor target, ArrowBuf staging, int rows, long perRow, long[] shape) {}

  /** Allocates the column for a batch whose tensor has {@code shape} (dimension 0 = rows). */
  public Allocated allocate(long[] shape, BufferAllocator allocator) {
    int rows = (int) shape[0];
    long perRow = TensorInfo.elementsPerRow(shape);
    long elements = rows * perRow;
    FieldVector vector = field.createVector(allocator);
    try {
      BaseFixedWidthVector values;
      if (vector instanceof ListVector) {
        ListVector list = (ListVector) vector;
        list.setInitialCapacity(Math.max(rows, 1));
        list.allocateNew();
        values = (BaseFixedWidthVector) list.getDataVector();
        values.allocateNew((int) Math.max(elements, 1));
      } else {
        values = (BaseFixedWidthVector) vector;
        values.allocateNew(Math.max(rows, 1));
      }
      long bytes = Math.max(elements * tensor.dataType().bytes(), 1);
      if (ElementType.outputDirect(tensor.dataType())) {
        return new Allocated(vector, new HostTensor(values.getDataBuffer().memoryAddress(), bytes, null), null, rows, perRow,
            shape.clone());
      }
      ArrowBuf staging = allocator.buffer(bytes);
      return new Allocated(vector, new HostTensor(staging.memoryAddress(), bytes, null), staging, rows, perRow,
          shape.clone());
    } catch (RuntimeException e) {
      vector.close();
      throw e;
    }
  }

  /**
   * Completes the vector once the tensor is in host memory: cuts padded rows back to their own length,
   * converts, sets validity and counts.
   *
   * @param inputLengths each padded input's row lengths in this batch (absent or null: no row padded)
   */
  public FieldVector finish(Allocated a, BitSet badRows, Map<String, int[]> inputLengths) {
    FieldVector vector = a.vector();
    int rows = a.rows();
    BaseFixedWidthVector values = vector instanceof ListVector
        ? (BaseFixedWidthVector) ((ListVector) vector).getDataVector() : (BaseFixedWidthVector) vector;
    long[] rowEnds = cutToRowLengths(a, badRows, inputLengths);
    int elements = (int) (rowEnds == null ? rows * a.perRow() : rowEnds[rows]);
    if (a.staging() != null) {
      ElementType.widenOutput(tensor.dataType(), a.staging(), values, elements);
      a.staging().close();
    }
    if (vector instanceof ListVector) {
      ListVector list = (ListVector) vector;
      Validity.set(values.getValidityBuffer(), elements, null);
      values.setValueCount(elements);
      ArrowBuf offsets = list.getOffsetBuffer();
      for (int i = 0; i <= rows; i++) {
        offsets.setInt((long) i * 4, (int) (rowEnds == null ? i * a.perRow() : i == 0 ? 0 : rowEnds[i]));
      }
      Validity.set(list.getValidityBuffer(), rows, badRows);
      list.setLastSet(rows - 1);
      list.setValueCount(rows);
    } else {
      Validity.set(values.getValidityBuffer(), rows, badRows);
      values.setValueCount(rows);
    }
    return vector;
  }

  /**
   * Puts the rows of a batch that ran in parts back in input order: row {@code i} of the result is row
   * {@code index[i]} of {@code parts.get(part[i])} (each a vector {@link #finish} completed), values
   * copied once. The parts stay the caller's.
   */
  public FieldVector gather(List<FieldVector> parts, int[] part, int[] index, BufferAllocator allocator) {
    int rows = part.length;
    FieldVector out = field.createVector(allocator);
    try {
      BitSet nulls = new BitSet();
      if (out instanceof ListVector) {
        ListVector list = (ListVector) out;
        long total = 0;
        for (FieldVector p : parts) {
          total += ((ListVector) p).getDataVector().getValueCount();
        }
        list.setInitialCapacity(Math.max(rows, 1));
        list.allocateNew();
        BaseFixedWidthVector values = (BaseFixedWidthVector) list.getDataVector();
        values.allocateNew((int) Math.max(total, 1));
        ArrowBuf offsets = list.getOffsetBuffer();
        int at = 0;
        offsets.setInt(0, 0);
        for (int i = 0; i < rows; i++) {
          ListVector from = (ListVector) parts.get(part[i]);
          int j = index[i];
          if (from.isNull(j)) {
            nulls.set(i);
          } else {
            int start = from.getOffsetBuffer().getInt((long) j * 4);
            int n = from.getOffsetBuffer().getInt((long) (j + 1) * 4) - start;
            BaseFixedWidthVector src = (BaseFixedWidthVector) from.getDataVector();
            if (src instanceof BitVector) {
              for (int k = 0; k < n; k++) {
                ((BitVector) values).set(at + k, ((BitVector) src).get(start + k));
              }
            } else {
              int w = src.getTypeWidth();
              MemoryUtil.copyMemory(src.getDataBuffer().memoryAddress() + (long) start * w,
                  values.getDataBuffer().memoryAddress() + (long) at * w, (long) n * w);
            }
            at += n;
          }
          offsets.setInt((long) (i + 1) * 4, at);
        }
        Validity.set(values.getValidityBuffer(), at, null);
        values.setValueCount(at);
        Validity.set(list.getValidityBuffer(), rows, nulls);
        list.setLastSet(rows - 1);
        list.setValueCount(rows);
      } else {
        BaseFixedWidthVector v = (BaseFixedWidthVector) out;
        v.allocateNew(Math.max(rows, 1));
        for (int i = 0; i < rows; i++) {
          v.copyFrom(index[i], i, parts.get(part[i]));
        }
        v.setValueCount(rows);
      }
      return out;
    } catch (RuntimeException e) {
      out.close();
      throw e;
    }
  }

  /**
   * Moves each row's values, cut to its own length in the followed dimensions, to the front of the
   * buffer the device wrote (in place: a row only ever moves towards the start). Returns the end
   * offset (in elements) of each row, index 0 unused, or null when nothing is cut.
   */
  private long[] cutToRowLengths(Allocated a, BitSet badRows, Map<String, int[]> inputLengths) {
    if (followed.isEmpty() || a.rows() == 0) {
      return null;
    }
    boolean any = false;
    for (String in : followed.values()) {
      any |= inputLengths.get(in) != null;
    }
    if (!any) {
      return null;
    }
    int rows = a.rows();
    long[] full = a.shape();
    int k = full.length - 1;
    int e = tensor.dataType().bytes();
    long base = a.target().address();
    long[] stride = new long[full.length];
    stride[k] = 1;
    for (int d = k - 1; d >= 1; d--) {
      stride[d] = stride[d + 1] * full[d + 1];
    }
    long[] ends = new long[rows + 1];
    long written = 0;
    long[] cut = full.clone();
    long[] index = new long[full.length];
    for (int i = 0; i < rows; i++) {
      boolean bad = badRows.get(i);
      for (Map.Entry<Integer, String> f : followed.entrySet()) {
        int[] lengths = inputLengths.get(f.getValue());
        cut[f.getKey()] = lengths == null ? full[f.getKey()] : Math.min(lengths[i], full[f.getKey()]);
      }
      long rowElements = 1;
      for (int d = 1; d <= k; d++) {
        rowElements *= cut[d];
      }
      if (bad) {
        rowElements = 0;
      }
      long src = (long) i * a.perRow();
      if (rowElements > 0) {
        // copy runs of the innermost dimension, walking the outer ones (dimensions 1..k-1) of the cut block
        java.util.Arrays.fill(index, 0);
        long dst = written;
        while (true) {
          long at = src;
          for (int d = 1; d < k; d++) {
            at += index[d] * stride[d];
          }
          MemoryUtil.copyMemory(base + at * e, base + dst * e, cut[k] * e);
          dst += cut[k];
          int d = k - 1;
          while (d >= 1 && ++index[d] == cut[d]) {
            index[d] = 0;
            d--;
          }
          if (d < 1) {
            break;
          }
        }
      }
      written += rowElements;
      ends[i + 1] = written;
    }
    return ends;
  }
}
