package dev.trtspark.spark;

import dev.trtspark.engine.tensor.DataType;
import dev.trtspark.engine.tensor.TensorInfo;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.unsafe.Platform;

/**
 * The fast way into Arrow for the common case: every bound column is an array of the tensor's own
 * element type with a fixed number of values per row. Each row's values are copied with one memcpy from
 * Spark's {@link UnsafeArrayData} into a pinned {@code fixed_size_list} vector, which the pipeline then
 * hands to the GPU without another copy. Spark's {@code ArrowWriter} writes element by element, which for
 * large rows (an image is 150,528 floats) costs more than the inference. A batch with a row this path
 * cannot take (null, other length, null element) returns null and goes through {@code ArrowWriter} and the
 * pipeline's validation instead, so bad rows are reported the same way.
 */
final class ArrayColumnWriter {
  private final List<Column> columns;

  private record Column(String name, int ordinal, int perRow, int elementBytes, ArrowType element) {}

  private ArrayColumnWriter(List<Column> columns) {
    this.columns = columns;
  }

  /** A writer when every input qualifies, else null (then ArrowWriter is used). */
  static ArrayColumnWriter forInputs(StructField[] fields, int[] ordinals, List<TensorInfo> tensors) {
    List<Column> cols = new ArrayList<>();
    for (int i = 0; i < fields.length; i++) {
      TensorInfo t = tensors.get(i);
      if (!(fields[i].dataType() instanceof ArrayType) || t.rank() < 2) {
        return null;
      }
      org.apache.spark.sql.types.DataType element = ((ArrayType) fields[i].dataType()).elementType();
      ArrowType arrow = arrowType(element, t.dataType());
      long[] shape = t.shape();
      long perRow = 1;
      for (int d = 1; d < shape.length; d++) {
        if (shape[d] < 0) {
          return null; // a dimension that varies by batch: ArrowWriter and the pipeline pad it
        }
        perRow *= shape[d];
      }
      if (arrow == null || shape[0] >= 0 || perRow > Integer.MAX_VALUE) {
        return null;
      }
      cols.add(new Column(fields[i].name(), ordinals[i], (int) perRow, t.dataType().bytes(), arrow));
    }
    return new ArrayColumnWriter(cols);
  }

  private static ArrowType arrowType(org.apache.spark.sql.types.DataType element, DataType tensor) {
    if (element.equals(DataTypes.FloatType) && tensor == DataType.FLOAT32) {
      return new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
    }
    if (element.equals(DataTypes.IntegerType) && tensor == DataType.INT32) {
      return new ArrowType.Int(32, true);
    }
    if (element.equals(DataTypes.LongType) && tensor == DataType.INT64) {
      return new ArrowType.Int(64, true);
    }
    if (element.equals(DataTypes.ByteType) && tensor == DataType.INT8) {
      return new ArrowType.Int(8, true);
    }
    return null;
  }

  /** The batch as fixed-size lists, or null when a row needs the general path. */
  VectorSchemaRoot write(List<InternalRow> rows, BufferAllocator allocator) {
    List<FieldVector> vectors = new ArrayList<>();
    try {
      for (Column c : columns) {
        FixedSizeListVector v = FixedSizeListVector.empty(c.name(), c.perRow(), allocator);
        vectors.add(v);
        v.addOrGetVector(FieldType.notNullable(c.element()));
        v.setInitialCapacity(Math.max(rows.size(), 1));
        v.allocateNew();
        BaseFixedWidthVector data = (BaseFixedWidthVector) v.getDataVector();
        int elements = rows.size() * c.perRow();
        if (data.getValueCapacity() < elements) {
          data.allocateNew(elements);
        }
        long dst = data.getDataBuffer().memoryAddress();
        long rowBytes = (long) c.perRow() * c.elementBytes();
        for (int i = 0; i < rows.size(); i++) {
          InternalRow row = rows.get(i);
          if (row.isNullAt(c.ordinal()) || !(row.getArray(c.ordinal()) instanceof UnsafeArrayData)) {
            return abandon(vectors);
          }
          UnsafeArrayData a = (UnsafeArrayData) row.getArray(c.ordinal());
          if (a.numElements() != c.perRow() || hasNulls(a)) {
            return abandon(vectors);
          }
          long header = UnsafeArrayData.calculateHeaderPortionInBytes(a.numElements());
          Platform.copyMemory(a.getBaseObject(), a.getBaseOffset() + header, null, dst + i * rowBytes, rowBytes);
        }
        v.getValidityBuffer().setOne(0, BitVectorHelper.getValidityBufferSizeFromCount(rows.size()));
        data.getValidityBuffer().setOne(0, BitVectorHelper.getValidityBufferSizeFromCount(elements));
        data.setValueCount(elements);
        v.setValueCount(rows.size());
      }
    } catch (RuntimeException e) {
      vectors.forEach(FieldVector::close);
      throw e;
    }
    VectorSchemaRoot root = new VectorSchemaRoot(vectors);
    root.setRowCount(rows.size());
    return root;
  }

  private static VectorSchemaRoot abandon(List<FieldVector> vectors) {
    vectors.forEach(FieldVector::close);
    return null;
  }

  /** Whether any element is null: the array's null bits are all zero otherwise. */
  private static boolean hasNulls(UnsafeArrayData a) {
    long words = (a.numElements() + 63) / 64;
    for (long w = 0; w < words; w++) {
      if (Platform.getLong(a.getBaseObject(), a.getBaseOffset() + 8 + w * 8) != 0) {
        return true;
      }
    }
    return false;
  }
}
