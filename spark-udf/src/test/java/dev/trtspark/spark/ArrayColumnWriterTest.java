package dev.trtspark.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.trtspark.arrow.memory.TensorAllocators;
import dev.trtspark.engine.tensor.DataType;
import dev.trtspark.engine.tensor.TensorInfo;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.catalyst.expressions.UnsafeProjection;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class ArrayColumnWriterTest {
  private static final StructType SCHEMA = new StructType().add("id", DataTypes.LongType)
      .add("f", DataTypes.createArrayType(DataTypes.FloatType, false));
  private static final TensorInfo X = new TensorInfo("x", true, DataType.FLOAT32, new long[] {-1, 3},
      new long[] {1, 3}, new long[] {8, 3}, new long[] {8, 3});

  private static InternalRow row(long id, float... values) {
    Object array = values == null ? null : UnsafeArrayData.fromPrimitiveArray(values);
    return UnsafeProjection.create(SCHEMA).apply(new GenericInternalRow(new Object[] {id, array})).copy();
  }

  private static ArrayColumnWriter writer() {
    return ArrayColumnWriter.forInputs(new StructField[] {SCHEMA.fields()[1]}, new int[] {1}, List.of(X));
  }

  @Test
  void floatArraysOfTheTensorsLengthAreCopiedRowByRowIntoAFixedSizeList() {
    List<InternalRow> rows = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      rows.add(row(i, i, i + 0.5f, -i));
    }
    try (BufferAllocator a = TensorAllocators.get(1L << 30).newTaskAllocator("writer-test");
        VectorSchemaRoot root = writer().write(rows, a)) {
      FixedSizeListVector v = (FixedSizeListVector) root.getVector("f");
      Float4Vector data = (Float4Vector) v.getDataVector();
      assertEquals(5, root.getRowCount());
      assertEquals(3.5f, data.get(3 * 3 + 1));
      assertEquals(-4f, data.get(4 * 3 + 2));
      assertEquals(0, v.getNullCount());
    }
  }

  @Test
  void aRowOfAnotherLengthOrANullRowSendsTheBatchToTheGeneralPath() {
    try (BufferAllocator a = TensorAllocators.get(1L << 30).newTaskAllocator("writer-test-2")) {
      assertNull(writer().write(List.of(row(0, 1, 2, 3), row(1, 1, 2)), a));
      assertNull(writer().write(List.of(row(0, 1, 2, 3), row(1, (float[]) null)), a));
    }
  }

  @Test
  void otherElementTypesAreLeftToArrowWriter() {
    StructField doubles = new StructField("d", DataTypes.createArrayType(DataTypes.DoubleType), true,
        org.apache.spark.sql.types.Metadata.empty());
    assertNull(ArrayColumnWriter.forInputs(new StructField[] {doubles}, new int[] {0}, List.of(X)));
  }
}
