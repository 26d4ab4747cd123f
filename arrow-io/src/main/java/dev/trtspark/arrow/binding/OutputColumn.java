package dev.trtspark.arrow.binding;

import dev.trtspark.conf.TensorBinding;
import dev.trtspark.engine.tensor.DataType;
import dev.trtspark.engine.tensor.HostTensor;
import dev.trtspark.engine.tensor.TensorInfo;
import java.util.BitSet;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.util.Float16;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.BitVectorHelper;
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
 * widened to float / packed to bits. Bad rows come back null.
 *
 * <p>Immutable; thread-safe.
 */
public final class OutputColumn {
  private final TensorBinding binding;
  private final TensorInfo tensor;
  private final Field field;

  private OutputColumn(TensorBinding binding, TensorInfo tensor) {
    this.binding = binding;
    this.tensor = tensor;
    ArrowType element = ElementType.outputArrowType(tensor.dataType());
    if (tensor.rank() <= 1) {
      this.field = new Field(binding.column(), FieldType.nullable(element), null);
    } else {
      Field child = new Field("element", FieldType.notNullable(element), null);
      this.field = new Field(binding.column(), FieldType.nullable(ArrowType.List.INSTANCE), List.of(child));
    }
  }

  public static OutputColumn bind(TensorBinding binding, TensorInfo tensor) {
    return new OutputColumn(binding, tensor);
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

  private boolean direct() {
    DataType t = tensor.dataType();
    return t != DataType.FLOAT16 && t != DataType.BFLOAT16 && t != DataType.BOOL;
  }

  /** The output vector of one batch and where the device copies its tensor to. */
  public record Allocated(FieldVector vector, HostTensor target, ArrowBuf staging, int rows, long perRow) {}

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
      if (direct()) {
        return new Allocated(vector, new HostTensor(values.getDataBuffer().memoryAddress(), bytes, null), null, rows, perRow);
      }
      ArrowBuf staging = allocator.buffer(bytes);
      return new Allocated(vector, new HostTensor(staging.memoryAddress(), bytes, null), staging, rows, perRow);
    } catch (RuntimeException e) {
      vector.close();
      throw e;
    }
  }

  /** Completes the vector once the tensor is in host memory: converts, sets validity and counts. */
  public FieldVector finish(Allocated a, BitSet badRows) {
    FieldVector vector = a.vector();
    int rows = a.rows();
    int elements = (int) (rows * a.perRow());
    BaseFixedWidthVector values = vector instanceof ListVector
        ? (BaseFixedWidthVector) ((ListVector) vector).getDataVector() : (BaseFixedWidthVector) vector;
    if (a.staging() != null) {
      ArrowBuf from = a.staging();
      ArrowBuf to = values.getDataBuffer();
      for (int i = 0; i < elements; i++) {
        switch (tensor.dataType()) {
          case FLOAT16:
            to.setFloat((long) i * 4, Float16.toFloat(from.getShort((long) i * 2)));
            break;
          case BFLOAT16:
            to.setFloat((long) i * 4, ElementType.fromBfloat16(from.getShort((long) i * 2)));
            break;
          default:
            ((BitVector) values).set(i, from.getByte(i) != 0 ? 1 : 0);
        }
      }
      a.staging().close();
    }
    if (vector instanceof ListVector) {
      ListVector list = (ListVector) vector;
      values.getValidityBuffer().setOne(0, BitVectorHelper.getValidityBufferSizeFromCount(elements));
      values.setValueCount(elements);
      ArrowBuf offsets = list.getOffsetBuffer();
      for (int i = 0; i <= rows; i++) {
        offsets.setInt((long) i * 4, (int) (i * a.perRow()));
      }
      setValidity(list.getValidityBuffer(), rows, badRows);
      list.setLastSet(rows - 1);
      list.setValueCount(rows);
    } else {
      setValidity(values.getValidityBuffer(), rows, badRows);
      values.setValueCount(rows);
    }
    return vector;
  }

  private static void setValidity(ArrowBuf validity, int rows, BitSet badRows) {
    validity.setOne(0, BitVectorHelper.getValidityBufferSizeFromCount(rows));
    for (int i = badRows.nextSetBit(0); i >= 0 && i < rows; i = badRows.nextSetBit(i + 1)) {
      BitVectorHelper.unsetBit(validity, i);
    }
  }
}
