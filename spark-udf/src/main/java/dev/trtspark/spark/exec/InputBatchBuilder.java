package dev.trtspark.spark.exec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import dev.trtspark.arrow.binding.BadRows;
import dev.trtspark.arrow.binding.RowProblem;
import dev.trtspark.arrow.binding.Validity;
import dev.trtspark.engine.tensor.TensorInfo;
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
 * not depend on the scan's. The other Spark shapes of {@link InputSource} (binary, nested arrays, ML
 * vectors, several scalar columns) become such lists too; what only the Spark side can see (a ragged
 * nested array, a binary value that is not a whole number of elements) is handed over as
 * {@link RowProblem}s with the batch.
 *
 * <p>Ownership: owns the vectors of the batch being filled until {@link #take()} hands them over;
 * {@link #close()} frees a half-filled batch. Threading: the task's thread only.
 */
final class InputBatchBuilder implements AutoCloseable {
  private final List<Column> columns = new ArrayList<>();
  private final List<RowProblem> problems = new ArrayList<>();
  private final BufferAllocator allocator;
  private final int capacity;
  private int rows;
  private boolean allocated;

  /** A filled batch and the rows found bad while filling it. */
  record Batch(VectorSchemaRoot root, List<RowProblem> problems) {}

  /**
   * @param sources the bindings' Spark columns, in binding order
   * @param tensors the tensor each source feeds
   * @param capacity rows per batch
   */
  InputBatchBuilder(List<InputSource> sources, List<TensorInfo> tensors, int capacity, BufferAllocator allocator) {
    this.allocator = allocator;
    this.capacity = capacity;
    for (int i = 0; i < sources.size(); i++) {
      columns.add(new Column(sources.get(i), tensors.get(i), problems));
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

  /** Appends one row; {@code ordinals} are where the sources' columns are in {@code row}, in order. */
  void appendRow(InternalRow row, int[] ordinals) {
    allocate();
    int k = 0;
    for (Column c : columns) {
      c.appendRow(row, ordinals, k, rows);
      k += c.width;
    }
    rows++;
  }

  /**
   * Appends rows {@code [from, to)} of {@code batch} by bulk copies; false (and nothing appended) when a
   * column is not one a bulk copy can read, then append its rows one by one.
   */
  boolean appendColumns(ColumnarBatch batch, int[] ordinals, int from, int to) {
    int k = 0;
    for (Column c : columns) {
      if (!c.bulkReadable(batch, ordinals, k)) {
        return false;
      }
      k += c.width;
    }
    allocate();
    k = 0;
    for (Column c : columns) {
      c.appendColumns(batch, ordinals, k, from, to, rows);
      k += c.width;
    }
    rows += to - from;
    return true;
  }

  /** The filled batch (the caller owns it); the builder starts a new one on the next append. */
  Batch take() {
    allocate();
    List<FieldVector> vectors = new ArrayList<>();
    for (Column c : columns) {
      vectors.add(c.finish(rows));
    }
    VectorSchemaRoot root = new VectorSchemaRoot(vectors);
    root.setRowCount(rows);
    Batch b = new Batch(root, List.copyOf(problems));
    problems.clear();
    rows = 0;
    allocated = false;
    return b;
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
    problems.clear();
    allocated = false;
    rows = 0;
  }

  /** One input column's vectors while a batch fills. */
  private static final class Column {
    private final Field field;
    private final String name;
    private final InputSource.Kind kind;
    private final SparkElement element;
    private final boolean array;
    final int width;
    private final long valuesPerRow;
    /** For NESTED: the tensor's dimensions after rows (-1 where dynamic). */
    private final long[] dims;
    private final List<RowProblem> problems;
    /** For SCALARS: each column's own element. */
    private final SparkElement[] parts;
    /** For BINARY: the tensor's type, for messages. */
    private final String rawTypeName;
    private FieldVector vector;
    private BaseFixedWidthVector values;
    private final BitSet nullRows = new BitSet();
    private int[] nullElements = new int[0];
    private int nullElementCount;
    private long valueCount;

    Column(InputSource source, TensorInfo tensor, List<RowProblem> problems) {
      this.kind = source.kind();
      this.width = source.columns().size();
      this.name = source.column();
      this.problems = problems;
      this.element = source.element(tensor);
      this.field = source.arrowField(tensor);
      this.array = kind != InputSource.Kind.SCALAR;
      long[] shape = tensor.shape();
      boolean fixed = Arrays.stream(shape, 1, shape.length).allMatch(d -> d >= 0);
      this.valuesPerRow = fixed ? TensorInfo.elementsPerRow(shape) : -1;
      this.dims = Arrays.copyOfRange(shape, 1, shape.length);
      this.parts = source.types().stream().map(SparkElement::of).toArray(SparkElement[]::new);
      this.rawTypeName = tensor.dataType().display();
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

    boolean bulkReadable(ColumnarBatch batch, int[] ordinals, int k) {
      switch (kind) {
        case SCALAR:
        case SCALARS:
          return true;
        case ARRAY:
          return batch.column(ordinals[k]) instanceof WritableColumnVector w && w.arrayData() != null;
        case BINARY:
          // a dictionary-encoded binary column fills no offsets (Spark decodes it lazily): read its rows
          return batch.column(ordinals[k]) instanceof WritableColumnVector w && w.arrayData() != null
              && !w.hasDictionary();
        default:
          return false;  // nested arrays and vectors: row by row
      }
    }

    void appendRow(InternalRow row, int[] ordinals, int k, int at) {
      int ordinal = ordinals[k];
      if (kind == InputSource.Kind.SCALARS) {
        appendScalars(row, ordinals, k, at);
        return;
      }
      if (row.isNullAt(ordinal)) {
        nullRows.set(at);
        if (array) {
          endRow(at);
        }
        return;
      }
      switch (kind) {
        case SCALAR -> setScalar(row, ordinal, at);
        case ARRAY -> {
          appendValues(row.getArray(ordinal));
          endRow(at);
        }
        case BINARY -> {
          byte[] b = row.getBinary(ordinal);
          appendRaw(b, Platform.BYTE_ARRAY_OFFSET, b.length, at);
        }
        case VECTOR -> appendVector(row.getStruct(ordinal, 4), at);
        case NESTED -> appendNested(row.getArray(ordinal), at);
        default -> throw new IllegalStateException(kind.toString());
      }
    }

    void appendColumns(ColumnarBatch batch, int[] ordinals, int k, int from, int to, int at) {
      switch (kind) {
        case SCALAR, ARRAY -> appendColumn(batch.column(ordinals[k]), from, to, at);
        case BINARY -> appendBinaryColumn((WritableColumnVector) batch.column(ordinals[k]), from, to, at);
        case SCALARS -> appendScalarColumns(batch, ordinals, k, from, to, at);
        default -> throw new IllegalStateException(kind + " is appended row by row");
      }
    }

    /** The values of one array, flat, after those already in the batch. */
    private void appendValues(ArrayData a) {
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
    }

    /** Raw bytes of the tensor's own type; a length that is not a whole number of elements is a bad row. */
    private void appendRaw(Object base, long offset, int bytes, int at) {
      int eb = element.bytes;
      if (bytes % eb != 0) {
        problems.add(new RowProblem(at, name, BadRows.Reason.WRONG_LENGTH, "has " + bytes + " bytes, not a whole number "
            + "of " + rawTypeName + " values (" + eb + " bytes each)"));
        endRow(at);
        return;
      }
      int n = bytes / eb;
      ensureValues(valueCount + n);
      if (element == SparkElement.BOOLEAN) {
        for (int j = 0; j < n; j++) {
          BitVectorHelper.setValidityBit(values.getDataBuffer(), (int) (valueCount + j),
              Platform.getByte(base, offset + j) != 0 ? 1 : 0);
        }
      } else {
        Platform.copyMemory(base, offset, null, valueAddress(valueCount), bytes);
      }
      valueCount += n;
      endRow(at);
    }

    private void appendBinaryColumn(WritableColumnVector w, int from, int to, int at) {
      boolean nulls = w.hasNull();
      ColumnVector data = w.arrayData();
      for (int i = from; i < to; i++) {
        int row = at + i - from;
        if (nulls && w.isNullAt(i)) {
          nullRows.set(row);
          endRow(row);
          continue;
        }
        int off = w.getArrayOffset(i);
        int len = w.getArrayLength(i);
        int eb = element.bytes;
        if (len % eb != 0 || element == SparkElement.BOOLEAN) {
          byte[] b = data.getBytes(off, len);
          appendRaw(b, Platform.BYTE_ARRAY_OFFSET, len, row);
          continue;
        }
        ensureValues(valueCount + len / eb);
        SparkElement.BYTE.copy(data, off, len, valueAddress(valueCount));
        valueCount += len / eb;
        endRow(row);
      }
    }

    /** A Spark ML vector (a struct of type, size, indices, values): dense values, or sparse ones spread out. */
    private void appendVector(InternalRow v, int at) {
      ArrayData vals = v.getArray(3);
      if (v.getByte(0) == 1) {
        appendValues(vals);
        endRow(at);
        return;
      }
      int size = v.getInt(1);
      ArrayData indices = v.getArray(2);
      ensureValues(valueCount + size);
      values.getDataBuffer().setZero(valueCount * 8, (long) size * 8);
      for (int j = 0; j < indices.numElements(); j++) {
        int i = indices.getInt(j);
        if (i < 0 || i >= size) {
          problems.add(new RowProblem(at, name, BadRows.Reason.WRONG_LENGTH, "is a sparse vector of size " + size
              + " with index " + i));
          endRow(at);
          return;
        }
        values.getDataBuffer().setDouble((valueCount + i) * 8, vals.getDouble(j));
      }
      valueCount += size;
      endRow(at);
    }

    /** Several scalar columns, one value each, as one list per row in the common element type. */
    private void appendScalars(InternalRow row, int[] ordinals, int k, int at) {
      ensureValues(valueCount + width);
      for (int j = 0; j < width; j++) {
        int o = ordinals[k + j];
        if (row.isNullAt(o)) {
          addNullElement(valueCount + j);
        } else {
          setConverted(parts[j], row, o, valueCount + j);
        }
      }
      valueCount += width;
      endRow(at);
    }

    private void appendScalarColumns(ColumnarBatch batch, int[] ordinals, int k, int from, int to, int at) {
      long base = valueCount;
      ensureValues(base + (long) (to - from) * width);
      for (int j = 0; j < width; j++) {
        ColumnVector v = batch.column(ordinals[k + j]);
        boolean nulls = v.hasNull();
        for (int i = from; i < to; i++) {
          long index = base + (long) (i - from) * width + j;
          if (nulls && v.isNullAt(i)) {
            addNullElement(index);
          } else {
            setConverted(parts[j], v, i, index);
          }
        }
      }
      for (int i = from; i < to; i++) {
        valueCount += width;
        endRow(at + i - from);
      }
    }

    /** Writes value {@code i} of a row or vector, read as {@code from}, as this column's element. */
    private void setConverted(SparkElement from, Object source, int i, long index) {
      ArrowBuf b = values.getDataBuffer();
      InternalRow r = source instanceof InternalRow x ? x : null;
      ColumnVector v = r == null ? (ColumnVector) source : null;
      if (element == SparkElement.BOOLEAN) {
        BitVectorHelper.setValidityBit(b, (int) index, (r != null ? r.getBoolean(i) : v.getBoolean(i)) ? 1 : 0);
        return;
      }
      boolean floating = from == SparkElement.FLOAT || from == SparkElement.DOUBLE;
      double d = 0;
      long l = 0;
      switch (from) {
        case FLOAT -> d = r != null ? r.getFloat(i) : v.getFloat(i);
        case DOUBLE -> d = r != null ? r.getDouble(i) : v.getDouble(i);
        case BYTE -> l = r != null ? r.getByte(i) : v.getByte(i);
        case SHORT -> l = r != null ? r.getShort(i) : v.getShort(i);
        case INT -> l = r != null ? r.getInt(i) : v.getInt(i);
        case LONG -> l = r != null ? r.getLong(i) : v.getLong(i);
        default -> throw new IllegalStateException(from.toString());
      }
      switch (element) {
        case FLOAT -> b.setFloat(index * 4, floating ? (float) d : (float) l);
        case DOUBLE -> b.setDouble(index * 8, floating ? d : (double) l);
        case BYTE -> b.setByte(index, (byte) l);
        case SHORT -> b.setShort(index * 2, (short) l);
        case INT -> b.setInt(index * 4, (int) l);
        case LONG -> b.setLong(index * 8, l);
        default -> throw new IllegalStateException(element.toString());
      }
    }

    /** A rectangular nested array, flattened row-major; a ragged or misshapen one is a bad row. */
    private void appendNested(ArrayData a, int at) {
      long start = valueCount;
      int nullsBefore = nullElementCount;
      long[] seen = new long[dims.length];
      Arrays.fill(seen, -1);
      RowProblem p = flatten(a, 0, seen, at);
      if (p != null) {
        valueCount = start;
        nullElementCount = nullsBefore;
        problems.add(p);
      }
      endRow(at);
    }

    private RowProblem flatten(ArrayData a, int level, long[] seen, int at) {
      int n = a.numElements();
      if (seen[level] < 0) {
        seen[level] = n;
      } else if (n != seen[level]) {
        return new RowProblem(at, name, BadRows.Reason.RAGGED, "is ragged: an array of " + n + " values at depth "
            + (level + 1) + ", where the first one there has " + seen[level]);
      }
      if (dims[level] >= 0 && n != dims[level]) {
        return new RowProblem(at, name, BadRows.Reason.WRONG_LENGTH, "has an array of " + n + " values at depth "
            + (level + 1) + ", where the tensor's dimension " + (level + 1) + " is " + dims[level]);
      }
      if (level == dims.length - 1) {
        appendValues(a);
        return null;
      }
      for (int j = 0; j < n; j++) {
        if (a.isNullAt(j)) {
          return new RowProblem(at, name, BadRows.Reason.NULL_ELEMENT, "has a null array at depth " + (level + 2));
        }
        RowProblem p = flatten(a.getArray(j), level + 1, seen, at);
        if (p != null) {
          return p;
        }
      }
      return null;
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
            + dev.trtspark.conf.TrtConf.BATCH_SIZE.key());
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
        Validity.set(values.getValidityBuffer(), Math.toIntExact(valueCount), null);
        for (int k = 0; k < nullElementCount; k++) {
          BitVectorHelper.unsetBit(values.getValidityBuffer(), nullElements[k]);
        }
        Validity.set(list.getValidityBuffer(), rowCount, nullRows);
        list.setLastSet(rowCount - 1);
        list.setValueCount(rowCount);
      } else {
        Validity.set(values.getValidityBuffer(), rowCount, nullRows);
        values.setValueCount(rowCount);
      }
      vector = null;
      values = null;
      return v;
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
