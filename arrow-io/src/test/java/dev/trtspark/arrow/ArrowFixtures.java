package dev.trtspark.arrow;

import java.util.List;
import java.util.function.BiConsumer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;

/**
 * Builds Arrow batches for tests; expectations are computed by the tests themselves. Models, the digits
 * data and the checkout's paths come from test-support.
 */
public final class ArrowFixtures {
  private ArrowFixtures() {}

  /**
   * A list column: {@code rows[i]} null makes a null row; {@code set} writes element j of the child.
   * {@code fixedSize} > 0 makes a fixed_size_list.
   */
  public static FieldVector listColumn(String name, ArrowType element, int fixedSize, Object[] rows,
      BiConsumer<FieldVector, int[]> set, BufferAllocator allocator) {
    Field child = new Field("element", FieldType.nullable(element), null);
    ArrowType listType = fixedSize > 0 ? new ArrowType.FixedSizeList(fixedSize) : ArrowType.List.INSTANCE;
    Field field = new Field(name, FieldType.nullable(listType), List.of(child));
    FieldVector v = field.createVector(allocator);
    int total = 0;
    for (Object r : rows) {
      total += r == null ? (fixedSize > 0 ? fixedSize : 0) : java.lang.reflect.Array.getLength(r);
    }
    if (v instanceof ListVector) {
      ListVector l = (ListVector) v;
      l.allocateNew();
      BaseFixedWidthVector data = (BaseFixedWidthVector) l.getDataVector();
      data.allocateNew(Math.max(total, 1));
      int pos = 0;
      for (int i = 0; i < rows.length; i++) {
        l.startNewValue(i);
        if (rows[i] == null) {
          l.endValue(i, 0);
          l.setNull(i);
          continue;
        }
        int n = java.lang.reflect.Array.getLength(rows[i]);
        for (int j = 0; j < n; j++) {
          set.accept(data, new int[] {pos + j, i, j});
        }
        pos += n;
        l.endValue(i, n);
      }
      data.setValueCount(total);
      l.setValueCount(rows.length);
    } else {
      FixedSizeListVector f = (FixedSizeListVector) v;
      f.allocateNew();
      BaseFixedWidthVector data = (BaseFixedWidthVector) f.getDataVector();
      data.allocateNew(Math.max(total, 1));
      for (int i = 0; i < rows.length; i++) {
        if (rows[i] == null) {
          f.setNull(i);
          for (int j = 0; j < fixedSize; j++) {
            data.setNull(i * fixedSize + j);
          }
          continue;
        }
        f.setNotNull(i);
        for (int j = 0; j < fixedSize; j++) {
          set.accept(data, new int[] {i * fixedSize + j, i, j});
        }
      }
      data.setValueCount(total);
      f.setValueCount(rows.length);
    }
    return v;
  }

  /** A float list column from a float[][] (null rows allowed). */
  public static FieldVector floats(String name, float[][] rows, int fixedSize, BufferAllocator allocator) {
    return listColumn(name, new ArrowType.FloatingPoint(org.apache.arrow.vector.types.FloatingPointPrecision.SINGLE),
        fixedSize, rows, (v, ij) -> {
          float x = rows[ij[1]][ij[2]];
          ((org.apache.arrow.vector.Float4Vector) v).set(ij[0], x);
        }, allocator);
  }

  public static VectorSchemaRoot root(FieldVector... vectors) {
    VectorSchemaRoot r = new VectorSchemaRoot(List.of(vectors));
    r.setRowCount(vectors[0].getValueCount());
    return r;
  }
}
