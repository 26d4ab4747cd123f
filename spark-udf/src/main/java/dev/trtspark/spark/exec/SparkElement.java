package dev.trtspark.spark.exec;

import java.lang.reflect.Field;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.spark.sql.execution.vectorized.OffHeapColumnVector;
import org.apache.spark.sql.execution.vectorized.OnHeapColumnVector;
import org.apache.spark.sql.execution.vectorized.WritableColumnVector;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.unsafe.Platform;

/**
 * The Spark primitive types a tensor column can hold, each with the Arrow type it travels as (the same
 * as Spark's {@code ArrowUtils}: which tensor types they may feed is arrow-io's {@code ElementType}
 * table), its size in Spark's and Arrow's memory, and the bulk copy of values out of a Spark column
 * vector: one memcpy from the on-heap or off-heap array behind it where it can get at it, else Spark's own
 * bulk getters (which decode dictionaries).
 */
enum SparkElement {
  FLOAT(DataTypes.FloatType, 4, Platform.FLOAT_ARRAY_OFFSET, "floatData"),
  DOUBLE(DataTypes.DoubleType, 8, Platform.DOUBLE_ARRAY_OFFSET, "doubleData"),
  BYTE(DataTypes.ByteType, 1, Platform.BYTE_ARRAY_OFFSET, "byteData"),
  SHORT(DataTypes.ShortType, 2, Platform.SHORT_ARRAY_OFFSET, "shortData"),
  INT(DataTypes.IntegerType, 4, Platform.INT_ARRAY_OFFSET, "intData"),
  LONG(DataTypes.LongType, 8, Platform.LONG_ARRAY_OFFSET, "longData"),
  /** One byte per value in Spark, one bit in Arrow: copied value by value. */
  BOOLEAN(DataTypes.BooleanType, 1, Platform.BOOLEAN_ARRAY_OFFSET, null);

  final DataType spark;
  /** Bytes per value in Spark memory (UnsafeArrayData, column vectors) and, except booleans, in Arrow. */
  final int bytes;
  private final long arrayOffset;
  private final Field onHeapArray;

  SparkElement(DataType spark, int bytes, long arrayOffset, String onHeapField) {
    this.spark = spark;
    this.bytes = bytes;
    this.arrayOffset = arrayOffset;
    this.onHeapArray = onHeapField == null ? null : accessible(onHeapField);
  }

  /** The element for a Spark type, or null when it is not a primitive a tensor can take. */
  static SparkElement of(DataType t) {
    for (SparkElement e : values()) {
      if (e.spark.equals(t)) {
        return e;
      }
    }
    return null;
  }

  /**
   * The element a binary column of raw bytes is read as, for a tensor whose elements are {@code raw} in
   * Arrow (one value per {@link #bytes}, copied as they are: half floats travel as shorts).
   */
  static SparkElement carrying(ArrowType raw) {
    if (raw instanceof ArrowType.Bool) {
      return BOOLEAN;
    }
    if (raw instanceof ArrowType.FloatingPoint f) {
      return switch (f.getPrecision()) {
        case HALF -> SHORT;
        case SINGLE -> FLOAT;
        case DOUBLE -> DOUBLE;
      };
    }
    int bytes = ((ArrowType.Int) raw).getBitWidth() / 8;
    for (SparkElement e : values()) {
      if (e.bytes == bytes && e != BOOLEAN && e != FLOAT && e != DOUBLE) {
        return e;
      }
    }
    throw new IllegalArgumentException(raw.toString());
  }

  ArrowType arrowType() {
    switch (this) {
      case FLOAT:
        return new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
      case DOUBLE:
        return new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
      case BOOLEAN:
        return ArrowType.Bool.INSTANCE;
      default:
        return new ArrowType.Int(bytes * 8, true);
    }
  }

  /** Whether Arrow stores these values in the same bytes as Spark (everything but booleans). */
  boolean sameBytes() {
    return this != BOOLEAN;
  }

  /**
   * Copies values {@code [from, from + n)} of {@code v} to native memory at {@code dst}, in Arrow's
   * layout. Not for booleans.
   */
  void copy(ColumnVector v, int from, int n, long dst) {
    if (n == 0) {
      return;
    }
    long length = (long) n * bytes;
    if (v instanceof WritableColumnVector w && !w.hasDictionary()) {
      if (w instanceof OffHeapColumnVector off) {
        Platform.copyMemory(null, off.valuesNativeAddress() + (long) from * bytes, null, dst, length);
        return;
      }
      Object array = w instanceof OnHeapColumnVector ? backingArray(w) : null;
      if (array != null) {
        Platform.copyMemory(array, arrayOffset + (long) from * bytes, null, dst, length);
        return;
      }
    }
    Platform.copyMemory(bulkGet(v, from, n), arrayOffset, null, dst, length);
  }

  /** A Java array of the values, decoded by Spark (dictionaries, constants, Arrow-backed vectors). */
  private Object bulkGet(ColumnVector v, int from, int n) {
    switch (this) {
      case FLOAT:
        return v.getFloats(from, n);
      case DOUBLE:
        return v.getDoubles(from, n);
      case BYTE:
        return v.getBytes(from, n);
      case SHORT:
        return v.getShorts(from, n);
      case INT:
        return v.getInts(from, n);
      case LONG:
        return v.getLongs(from, n);
      default:
        throw new IllegalStateException("booleans are copied value by value");
    }
  }

  private Object backingArray(WritableColumnVector w) {
    if (onHeapArray == null) {
      return null;
    }
    try {
      return onHeapArray.get(w);
    } catch (IllegalAccessException e) {
      return null;
    }
  }

  /** Spark keeps on-heap values in private arrays; where a JVM forbids reaching them, Spark's getters serve. */
  private static Field accessible(String name) {
    try {
      Field f = OnHeapColumnVector.class.getDeclaredField(name);
      f.setAccessible(true);
      return f;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }
}
