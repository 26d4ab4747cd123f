package dev.trtspark.arrow.binding;

import dev.trtspark.conf.TrtConf;
import dev.trtspark.arrow.memory.TensorAllocators;
import dev.trtspark.conf.TensorBinding;
import dev.trtspark.engine.EngineException;
import dev.trtspark.engine.tensor.HostTensor;
import dev.trtspark.engine.tensor.TensorInfo;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.types.Types;
import org.apache.arrow.vector.types.Types.MinorType;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * One input binding (tensor &lt;- column), checked once against the column's Arrow type, then used per
 * batch to turn the column's vector into the tensor the engine expects:
 * <ul>
 *   <li>a primitive vector feeds a rank-1 tensor (one scalar per row);</li>
 *   <li>a {@code fixed_size_list} or {@code list} of primitives feeds a tensor of rank 2 or more,
 *       row-major, all rows the same length (multi-dimensional inputs come as a flat list plus the
 *       engine's shape); a dynamic second dimension takes each batch's longest row, shorter rows are
 *       zero-padded.</li>
 * </ul>
 * When the element type already is the tensor's, the values are contiguous and the memory is pinned
 * (or no GPU is involved), the tensor points at the Arrow buffer itself: zero copy. Otherwise one copy
 * into a staging buffer, converting as {@link ElementType} allows.
 *
 * <p>Immutable; thread-safe.
 */
public final class InputColumn {
  enum Layout {
    SCALAR, FIXED_LIST, LIST
  }

  private final TensorBinding binding;
  private final TensorInfo tensor;
  private final MinorType source;
  /** Whether the source holds the tensor's own bytes (copied with memcpy, or not at all). */
  private final boolean identity;
  private final Layout layout;
  /** Elements per row, or -1 when dimension 1 varies by batch. */
  private final long perRow;
  private final long minLen;
  private final long maxLen;

  private InputColumn(TensorBinding binding, TensorInfo tensor, MinorType source, Layout layout, long perRow,
      long minLen, long maxLen) {
    this.binding = binding;
    this.tensor = tensor;
    this.source = source;
    this.identity = ElementType.identity(tensor.dataType()) == source;
    this.layout = layout;
    this.perRow = perRow;
    this.minLen = minLen;
    this.maxLen = maxLen;
  }

  /**
   * What one batch of this column became.
   *
   * @param lengths for a padded input, each row's own length (0 for bad rows) when some row is shorter
   *     than the batch's; null when no row was padded
   */
  public record Staged(HostTensor tensor, ArrowBuf owned, int[] lengths) {
    /** Elements the tensor holds, padding included. */
    public long elements() {
      return TensorInfo.elements(tensor.shape());
    }

    /** Elements of the rows' own values: {@link #elements()} less the padding (and bad rows). */
    public long values() {
      if (lengths == null) {
        return elements();
      }
      long n = 0;
      for (int len : lengths) {
        n += len;
      }
      return n;
    }
  }

  /** Whether batches pad this input to their longest row (a dynamic second dimension). */
  public boolean padded() {
    return perRow < 0;
  }

  /**
   * Each row's number of values in {@code vector} (0 for a null row), unchecked: for grouping rows by
   * length before {@link #stage}, which checks them.
   */
  public int[] rowLengths(FieldVector vector, int rows) {
    int[] out = new int[rows];
    ArrowBuf offsets = layout == Layout.LIST ? ((ListVector) vector).getOffsetBuffer() : null;
    int fixedSize = layout == Layout.FIXED_LIST ? ((FixedSizeListVector) vector).getListSize() : 1;
    for (int i = 0; i < rows; i++) {
      out[i] = vector.isNull(i) ? 0 : (int) length(offsets, fixedSize, i);
    }
    return out;
  }

  /**
   * Checks that column {@code field} can feed {@code tensor}.
   *
   * @throws EngineException naming the column, its type, the tensor and what it accepts
   */
  public static InputColumn bind(TensorBinding binding, TensorInfo tensor, Field field) {
    long[] shape = tensor.shape();
    ArrowType type = field.getType();
    Layout layout;
    MinorType element;
    int listSize = -1;
    if (type instanceof ArrowType.FixedSizeList || type instanceof ArrowType.List) {
      layout = type instanceof ArrowType.List ? Layout.LIST : Layout.FIXED_LIST;
      listSize = layout == Layout.FIXED_LIST ? ((ArrowType.FixedSizeList) type).getListSize() : -1;
      Field child = field.getChildren().get(0);
      if (!child.getChildren().isEmpty()) {
        throw wrongType(binding, tensor, field, "nested lists are not supported: give the values as one flat list per row "
            + "(the engine's shape " + TensorInfo.format(shape) + " says how they are laid out)");
      }
      element = Types.getMinorTypeForArrowType(child.getType());
    } else {
      layout = Layout.SCALAR;
      element = Types.getMinorTypeForArrowType(type);
    }
    if (!ElementType.sources(tensor.dataType()).contains(element)) {
      throw wrongType(binding, tensor, field, "its elements must be one of " + ElementType.sources(tensor.dataType())
          .stream().map(ElementType::arrowName).collect(Collectors.joining(", ")));
    }
    if (tensor.rank() == 1) {
      if (layout != Layout.SCALAR) {
        throw wrongType(binding, tensor, field, "the tensor takes one value per row, not a list");
      }
      return new InputColumn(binding, tensor, element, layout, 1, 1, 1);
    }
    boolean dynamic = Arrays.stream(shape, 1, shape.length).anyMatch(d -> d < 0);
    if (layout == Layout.SCALAR) {
      throw wrongType(binding, tensor, field, "the tensor takes " + (dynamic ? "several" : TensorInfo.elementsPerRow(shape))
          + " values per row: give a list column");
    }
    if (dynamic) {
      if (shape.length != 2) {
        throw wrongType(binding, tensor, field, "only the second dimension may vary from batch to batch, the tensor's shape is "
            + TensorInfo.format(shape));
      }
      long min = tensor.min()[1];
      long max = tensor.max()[1];
      if (listSize >= 0 && (listSize < min || listSize > max)) {
        throw wrongType(binding, tensor, field, "its rows have " + listSize + " values, the tensor takes " + min + ".."
            + (max == TensorInfo.UNBOUNDED ? "inf" : Long.toString(max)));
      }
      return new InputColumn(binding, tensor, element, layout, -1, min, max);
    }
    long perRow = TensorInfo.elementsPerRow(shape);
    if (listSize >= 0 && listSize != perRow) {
      throw wrongType(binding, tensor, field, "its rows have " + listSize + " values, the tensor takes " + perRow);
    }
    return new InputColumn(binding, tensor, element, layout, perRow, perRow, perRow);
  }

  private static EngineException wrongType(TensorBinding b, TensorInfo t, Field f, String why) {
    return new EngineException("column '" + b.column() + "' (" + f.getType() + (f.getChildren().isEmpty() ? ""
        : "<" + f.getChildren().get(0).getType() + ">") + ") cannot feed tensor '" + t.name() + "' ("
        + t.dataType().display() + " " + TensorInfo.format(t.shape()) + "): " + why);
  }

  public TensorBinding binding() {
    return binding;
  }

  public TensorInfo tensor() {
    return tensor;
  }

  /**
   * Turns {@code rows} rows of {@code vector} into this tensor, marking bad rows in {@code bad}.
   *
   * @param allocator for the staging buffer (the caller releases {@link Staged#owned()} after the batch)
   */
  public Staged stage(FieldVector vector, int rows, BadRows bad, boolean allowNonFinite, BufferAllocator allocator,
      TensorAllocators tensors) {
    return stage(vector, rows, null, bad, allowNonFinite, allocator, tensors);
  }

  /**
   * As {@link #stage(FieldVector, int, BadRows, boolean, BufferAllocator, TensorAllocators)}, for the
   * rows {@code select} of the vector only (null: rows {@code 0..rows-1}), in that order: tensor row
   * {@code i} is vector row {@code select[i]}, and bad rows are marked by their vector row. Always
   * copies; {@link Staged#lengths()} is indexed by tensor row.
   */
  public Staged stage(FieldVector vector, int vectorRows, int[] select, BadRows bad, boolean allowNonFinite,
      BufferAllocator allocator, TensorAllocators tensors) {
    int rows = select == null ? vectorRows : select.length;
    FieldVector data = layout == Layout.SCALAR ? vector
        : layout == Layout.LIST ? ((ListVector) vector).getDataVector()
        : ((FixedSizeListVector) vector).getDataVector();
    ArrowBuf offsets = layout == Layout.LIST ? ((ListVector) vector).getOffsetBuffer() : null;
    int fixedSize = layout == Layout.FIXED_LIST ? ((FixedSizeListVector) vector).getListSize() : 1;
    String column = binding.column();
    boolean checkElements = layout != Layout.SCALAR && data.getNullCount() > 0;
    boolean checkFinite = !allowNonFinite && ElementType.isFloat(source);
    boolean checkOverflow = checkFinite && ElementType.narrows(source, tensor.dataType());
    long longest = 0;
    long base = start(offsets, fixedSize, 0, vectorRows);
    boolean regular = true;
    long firstLen = -1;
    // fixed-length rows, none null, nothing to scan: no per-row work (the common case, and the fast one)
    boolean nothingToCheck = layout != Layout.LIST && !checkElements && !checkFinite && vector.getNullCount() == 0
        && fixedSize >= minLen && fixedSize <= maxLen;
    if (nothingToCheck) {
      firstLen = fixedSize;
      longest = rows > 0 ? fixedSize : 0;
    }
    for (int k = 0; k < rows && !nothingToCheck; k++) {
      int i = select == null ? k : select[k];
      long s = start(offsets, fixedSize, i, vectorRows);
      long len = length(offsets, fixedSize, i);
      if (firstLen < 0) {
        firstLen = len;
      }
      regular &= select == null && len == firstLen && s == base + i * firstLen;
      if (bad.isBad(i)) {
        continue;  // found bad by the batch's producer (see RowProblem)
      }
      if (vector.isNull(i)) {
        bad.mark(i, BadRows.Reason.NULL_ROW, column, "is null; tensor '" + tensor.name() + "' needs " + expected());
        continue;
      }
      if (len < minLen || len > maxLen) {
        bad.mark(i, BadRows.Reason.WRONG_LENGTH, column, "has " + len + " values; tensor '" + tensor.name() + "' "
            + TensorInfo.format(tensor.shape()) + " needs " + expected());
        continue;
      }
      if (checkElements) {
        for (long j = 0; j < len; j++) {
          if (data.isNull((int) (s + j))) {
            bad.mark(i, BadRows.Reason.NULL_ELEMENT, column, "has a null at element " + j + "; tensor '" + tensor.name()
                + "' needs " + expected() + ", none null");
            break;
          }
        }
      }
      if (checkFinite && !bad.isBad(i)) {
        for (long j = 0; j < len; j++) {
          double v = ElementType.readDouble(data.getDataBuffer(), source, s + j);
          if (Double.isNaN(v) || Double.isInfinite(v)) {
            bad.mark(i, BadRows.Reason.NON_FINITE, column, "has " + v + " at element " + j
                + " and " + TrtConf.ALLOW_NON_FINITE.key() + "=false");
            break;
          }
          if (checkOverflow && ElementType.overflows(v, tensor.dataType())) {
            bad.mark(i, BadRows.Reason.NON_FINITE, column, "has " + v + " at element " + j + ", beyond the largest "
                + "finite " + tensor.dataType().display() + " of tensor '" + tensor.name()
                + "' (it would be infinite there), and " + TrtConf.ALLOW_NON_FINITE.key() + "=false");
            break;
          }
        }
      }
      if (!bad.isBad(i)) {
        longest = Math.max(longest, len);
      }
    }
    long width = perRow >= 0 ? perRow : Math.max(longest, minLen);
    long[] shape = tensor.shape();
    shape[0] = rows;
    if (perRow < 0) {
      shape[1] = width;
    }
    int elementBytes = tensor.dataType().bytes();
    boolean contiguous = select == null && (layout != Layout.LIST || (regular && firstLen == width) || rows == 0);
    boolean fixedWidth = layout != Layout.LIST || firstLen == width;
    boolean memoryOk = !tensors.pinned() || tensors.owns(data.getDataBuffer());
    if (identity && contiguous && fixedWidth && memoryOk && rows > 0) {
      long bytes = rows * width * elementBytes;
      long address = data.getDataBuffer().memoryAddress() + base * elementBytes;
      return new Staged(new HostTensor(address, bytes, shape), null, null);
    }
    long bytes = Math.max(1, rows * width * elementBytes);
    ArrowBuf staging = allocator.buffer(bytes);
    int[] lengths = perRow < 0 ? new int[rows] : null;
    boolean padded = false;
    try {
      if (bad.any() || perRow < 0) {
        staging.setZero(0, bytes);
      }
      for (int k = 0; k < rows; k++) {
        int i = select == null ? k : select[k];
        if (bad.isBad(i)) {
          continue;
        }
        long s = start(offsets, fixedSize, i, vectorRows);
        long len = length(offsets, fixedSize, i);
        copyRow(data, s, len, staging, (long) k * width);
        if (lengths != null) {
          lengths[k] = (int) len;
          padded |= len != width;
        }
      }
      return new Staged(new HostTensor(staging.memoryAddress(), bytes, shape), staging, padded ? lengths : null);
    } catch (RuntimeException e) {
      staging.close();
      throw e;
    }
  }

  private void copyRow(FieldVector data, long start, long len, ArrowBuf staging, long dstIndex) {
    int elementBytes = tensor.dataType().bytes();
    if (identity) {
      MemoryUtil.copyMemory(data.getDataBuffer().memoryAddress() + start * elementBytes,
          staging.memoryAddress() + dstIndex * elementBytes, len * elementBytes);
    } else {
      ElementType.convert(data.getDataBuffer(), source, start, staging, tensor.dataType(), dstIndex, len);
    }
  }

  private String expected() {
    String type = tensor.dataType().display();
    if (perRow >= 0) {
      return perRow + " " + type + " value" + (perRow == 1 ? "" : "s");
    }
    return minLen + ".." + (maxLen == TensorInfo.UNBOUNDED ? "inf" : Long.toString(maxLen)) + " " + type + " values";
  }

  private long start(ArrowBuf offsets, int fixedSize, int row, int rows) {
    if (offsets == null) {
      return (long) row * fixedSize;
    }
    return rows == 0 ? 0 : offsets.getInt((long) row * 4);
  }

  private long length(ArrowBuf offsets, int fixedSize, int row) {
    if (offsets == null) {
      return fixedSize;
    }
    return offsets.getInt((long) (row + 1) * 4) - (long) offsets.getInt((long) row * 4);
  }
}
