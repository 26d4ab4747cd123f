package dev.trtspark.spark.exec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.execution.vectorized.WritableColumnVector;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import org.apache.spark.unsafe.Platform;

/**
 * Fills one batch of the bound input columns into Arrow vectors in the task's pinned memory, from Spark
 * rows ({@link #appendRow}, one memcpy per array) or from a columnar batch of the plan below
 * ({@link #appendColumns}, one memcpy per column and contiguous run of rows). Both give the same vectors:
 * a {@code list} of the column's own element type per array column, a primitive vector per scalar
 * column, with nulls and every row's length kept as they are, so that arrow-io's {@code InputColumn}
 * checks every row (null, length, null elements, NaN) and converts types by its one table, whatever path
 * filled the batch. A batch may take rows from several scan batches, so the inference batch size does
 * not depend on the scan's.
 *
 * <p>Ownership: owns the vectors of the batch being filled until {@link #take()} hands them over;
 * {@link #close()} frees a half-filled batch. Threading: the task's thread only.
 */
final class InputBatchBuilder implements AutoCloseable {
  private final List<Column> columns = new ArrayList<>();
  private final BufferAllocator allocator;
  private final int capacity;
  private int rows;
  private boolean allocated;

  /**
   * @param names the input columns' names (as bound)
   * @param types their Spark types: primitives, or arrays of primitives
   * @param valuesPerRow per column the values a row is expected to hold (pre-sizes the batch), or -1
   * @param capacity rows per batch
   */
  InputBatchBuilder(List<String> names, List<DataType> types, long[] valuesPerRow, int capacity,
      BufferAllocator allocator) {
    this.allocator = allocator;
    this.capacity = capacity;
    for (int i = 0; i < names.size(); i++) {
      columns.add(new Column(names.get(i), types.get(i), valuesPerRow[i]));
    }
  }

  int rows() {
    return rows;
  }

  boolean full() {
    return rows >= capacity;
  }

  int room() {
    return capacity - rows;
  }

  /** Appends one row; {@code ordinals[c]} is where input column c is in {@code row}. */
  void appendRow(InternalRow row, int[] ordinals) {
    allocate();
    for (int c = 0; c < columns.size(); c++) {
      columns.get(c).appendRow(row, ordinals[c], rows);
    }
    rows++;
  }

  /**
   * Appends rows {@code [from, to)} of {@code batch} by bulk copies; false (and nothing appended) when a
   * column is not one a bulk copy can read, then append its rows one by one.
   */
  boolean appendColumns(ColumnarBatch batch, int[] ordinals, int from, int to) {
    for (int c = 0; c < columns.size(); c++) {
      if (!columns.get(c).bulkReadable(batch.column(ordinals[c]))) {
        return false;
      }
    }
    allocate();
    for (int c = 0; c < columns.size(); c++) {
      columns.get(c).appendColumn(batch.column(ordinals[c]), from, to, rows);
    }
    rows += to - from;
    return true;
  }

  /** The filled batch (the caller owns it); the builder starts a new one on the next append. */
  VectorSchemaRoot take() {
    allocate();
    List<FieldVector> vectors = new ArrayList<>();
    for (Column c : columns) {
      vectors.add(c.finish(rows));
    }
    VectorSchemaRoot root = new VectorSchemaRoot(vectors);
    root.setRowCount(rows);
    rows = 0;
    allocated = false;
    return root;
  }

  private void allocate() {
    if (!allocated) {
      for (Column c : columns) {
        c.allocate(capacity, allocator);
      }
      allocated = true;
    }
  }

  /** Frees a batch being filled; idempotent. */
  @Override
  public void close() {
    for (Column c : columns) {
      c.release();
    }
    allocated = false;
    rows = 0;
  }

  /** One input column's vectors while a batch fills. */
  private static final class Column {
    private final Field field;
    private final SparkElement element;
    private final boolean array;
    private final long valuesPerRow;
    private FieldVector vector;
    private BaseFixedWidthVector values;
    private final BitSet nullRows = new BitSet();
    private int[] nullElements = new int[0];
    private int nullElementCount;
    private long valueCount;

    Column(String name, DataType type, long valuesPerRow) {
      this.array = type instanceof ArrayType;
      this.element = SparkElement.of(array ? ((ArrayType) type).elementType() : type);
      if (element == null) {
        throw new IllegalArgumentException("column '" + name + "' has Spark type " + type.simpleString()
            + ", which cannot feed a tensor");
      }
      this.valuesPerRow = valuesPerRow;
      ArrowType arrow = element.arrowType();
      this.field = array
          ? new Field(name, FieldType.nullable(ArrowType.List.INSTANCE), List.of(new Field("element",
              FieldType.nullable(arrow), null)))
          : new Field(name, FieldType.nullable(arrow), null);
    }

    void allocate(int capacity, BufferAllocator allocator) {
      release();
      vector = field.createVector(allocator);
      try {
        if (array) {
          ListVector list = (ListVector) vector;
          list.setInitialCapacity(capacity);
          list.allocateNew();
          values = (BaseFixedWidthVector) list.getDataVector();
          long expected = (long) capacity * (valuesPerRow > 0 ? valuesPerRow : 16);
          values.allocateNew((int) Math.min(Math.max(expected, 1), Integer.MAX_VALUE - 8));
          list.getOffsetBuffer().setInt(0, 0);
        } else {
          values = (BaseFixedWidthVector) vector;
          values.allocateNew(capacity);
        }
      } catch (RuntimeException e) {
        release();
        throw e;
      }
      nullRows.clear();
      nullElementCount = 0;
      valueCount = 0;
    }

    void release() {
      if (vector != null) {
        vector.close();
        vector = null;
        values = null;
      }
    }

    boolean bulkReadable(ColumnVector v) {
      if (!array) {
        return true;
      }
      return v instanceof WritableColumnVector w && w.arrayData() != null;
    }

    void appendRow(InternalRow row, int ordinal, int at) {
      if (row.isNullAt(ordinal)) {
        nullRows.set(at);
        if (array) {
          endRow(at);
        }
        return;
      }
      if (!array) {
        setScalar(row, ordinal, at);
        return;
      }
      ArrayData a = row.getArray(ordinal);
      int n = a.numElements();
      ensureValues(valueCount + n);
      if (a instanceof UnsafeArrayData u && element.sameBytes()) {
        long header = UnsafeArrayData.calculateHeaderPortionInBytes(n);
        Platform.copyMemory(u.getBaseObject(), u.getBaseOffset() + header, null, valueAddress(valueCount),
            (long) n * element.bytes);
        if (hasNulls(u)) {
          for (int j = 0; j < n; j++) {
            if (u.isNullAt(j)) {
              addNullElement(valueCount + j);
            }
          }
        }
      } else {
        for (int j = 0; j < n; j++) {
          if (a.isNullAt(j)) {
            addNullElement(valueCount + j);
          } else {
            setValue(a, j, valueCount + j);
          }
        }
      }
      valueCount += n;
      endRow(at);
    }

    void appendColumn(ColumnVector v, int from, int to, int at) {
      boolean nulls = v.hasNull();
      if (!array) {
        if (element.sameBytes()) {
          element.copy(v, from, to - from, valueAddress(at));
        } else {
          for (int i = from; i < to; i++) {
            if (!nulls || !v.isNullAt(i)) {
              BitVectorHelper.setValidityBit(values.getDataBuffer(), at + i - from, v.getBoolean(i) ? 1 : 0);
            }
          }
        }
        if (nulls) {
          for (int i = from; i < to; i++) {
            if (v.isNullAt(i)) {
              nullRows.set(at + i - from);
            }
          }
        }
        return;
      }
      WritableColumnVector w = (WritableColumnVector) v;
      ColumnVector data = w.arrayData();
      boolean elementNulls = data.hasNull();
      // copy contiguous runs of the rows' values with one memcpy each (a Parquet batch is one run)
      int runStart = -1;
      int runEnd = -1;
      long runDst = 0;
      for (int i = from; i < to; i++) {
        int row = at + i - from;
        if (nulls && w.isNullAt(i)) {
          nullRows.set(row);
          endRow(row);
          continue;
        }
        int off = w.getArrayOffset(i);
        int len = w.getArrayLength(i);
        if (off != runEnd) {
          copyRun(data, runStart, runEnd, runDst, elementNulls);
          runStart = off;
          runEnd = off;
          runDst = valueCount;
        }
        runEnd += len;
        valueCount += len;
        endRow(row);
      }
      copyRun(data, runStart, runEnd, runDst, elementNulls);
    }

    private void copyRun(ColumnVector data, int start, int end, long dst, boolean elementNulls) {
      if (start < 0 || end == start) {
        return;
      }
      int n = end - start;
      ensureValues(dst + n);
      if (element.sameBytes()) {
        element.copy(data, start, n, valueAddress(dst));
      } else {
        for (int j = 0; j < n; j++) {
          BitVectorHelper.setValidityBit(values.getDataBuffer(), (int) (dst + j), data.getBoolean(start + j) ? 1 : 0);
        }
      }
      if (elementNulls) {
        for (int j = 0; j < n; j++) {
          if (data.isNullAt(start + j)) {
            addNullElement(dst + j);
          }
        }
      }
    }

    private void endRow(int row) {
      ((ListVector) vector).getOffsetBuffer().setInt((long) (row + 1) * 4, Math.toIntExact(valueCount));
    }

    private long valueAddress(long index) {
      return values.getDataBuffer().memoryAddress() + index * element.bytes;
    }

    private void ensureValues(long needed) {
      if (needed > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException("column '" + field.getName() + "': a batch of more than 2^31 values; lower "
            + "spark.trt.batchSize");
      }
      while (values.getValueCapacity() < needed) {
        values.reAlloc();
      }
    }

    private void addNullElement(long index) {
      if (nullElementCount == nullElements.length) {
        nullElements = Arrays.copyOf(nullElements, Math.max(16, nullElements.length * 2));
      }
      nullElements[nullElementCount++] = Math.toIntExact(index);
    }

    private void setScalar(InternalRow row, int ordinal, int at) {
      ArrowBuf b = values.getDataBuffer();
      switch (element) {
        case FLOAT -> b.setFloat(at * 4L, row.getFloat(ordinal));
        case DOUBLE -> b.setDouble(at * 8L, row.getDouble(ordinal));
        case BYTE -> b.setByte(at, row.getByte(ordinal));
        case SHORT -> b.setShort(at * 2L, row.getShort(ordinal));
        case INT -> b.setInt(at * 4L, row.getInt(ordinal));
        case LONG -> b.setLong(at * 8L, row.getLong(ordinal));
        case BOOLEAN -> BitVectorHelper.setValidityBit(b, at, row.getBoolean(ordinal) ? 1 : 0);
      }
    }

    private void setValue(ArrayData a, int j, long index) {
      ArrowBuf b = values.getDataBuffer();
      switch (element) {
        case FLOAT -> b.setFloat(index * 4, a.getFloat(j));
        case DOUBLE -> b.setDouble(index * 8, a.getDouble(j));
        case BYTE -> b.setByte(index, a.getByte(j));
        case SHORT -> b.setShort(index * 2, a.getShort(j));
        case INT -> b.setInt(index * 4, a.getInt(j));
        case LONG -> b.setLong(index * 8, a.getLong(j));
        case BOOLEAN -> BitVectorHelper.setValidityBit(b, (int) index, a.getBoolean(j) ? 1 : 0);
      }
    }

    /** Sets validity and counts and hands the vector over. */
    FieldVector finish(int rowCount) {
      FieldVector v = vector;
      if (array) {
        ListVector list = (ListVector) v;
        ensureValues(Math.max(valueCount, 1));
        setValid(values.getValidityBuffer(), Math.toIntExact(valueCount), null);
        for (int k = 0; k < nullElementCount; k++) {
          BitVectorHelper.unsetBit(values.getValidityBuffer(), nullElements[k]);
        }
        setValid(list.getValidityBuffer(), rowCount, nullRows);
        list.setLastSet(rowCount - 1);
        list.setValueCount(rowCount);
      } else {
        setValid(values.getValidityBuffer(), rowCount, nullRows);
        values.setValueCount(rowCount);
      }
      vector = null;
      values = null;
      return v;
    }

    private static void setValid(ArrowBuf validity, int count, BitSet nulls) {
      validity.setOne(0, BitVectorHelper.getValidityBufferSizeFromCount(count));
      if (nulls != null) {
        for (int i = nulls.nextSetBit(0); i >= 0 && i < count; i = nulls.nextSetBit(i + 1)) {
          BitVectorHelper.unsetBit(validity, i);
        }
      }
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
}
