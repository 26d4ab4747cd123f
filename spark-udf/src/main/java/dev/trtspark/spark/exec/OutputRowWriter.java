package dev.trtspark.spark.exec;

import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.catalyst.expressions.UnsafeRow;
import org.apache.spark.sql.catalyst.expressions.codegen.GenerateUnsafeRowJoiner;
import org.apache.spark.sql.catalyst.expressions.codegen.UnsafeRowJoiner;
import org.apache.spark.sql.catalyst.expressions.codegen.UnsafeRowWriter;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.Platform;
import org.apache.spark.unsafe.array.ByteArrayMethods;

/**
 * Turns one row of a batch's output vectors into an {@link UnsafeRow} with Spark's row writer, each
 * output array written with one memcpy from Arrow memory (Spark's own Arrow reading goes value by
 * value), and appends it to the row's pass-through columns with a generated joiner (two memcpys).
 *
 * <p>The returned row is reused by the next call, as Spark's operators reuse theirs. Threading: one
 * thread.
 */
final class OutputRowWriter {
  private final SparkElement[] elements;
  private final boolean[] arrays;
  private final UnsafeRowWriter writer;
  private final UnsafeRowJoiner joiner;

  /**
   * @param pass the pass-through columns that come first
   * @param outputs the output columns: primitives or arrays of primitives
   */
  OutputRowWriter(StructType pass, StructType outputs) {
    int n = outputs.size();
    this.elements = new SparkElement[n];
    this.arrays = new boolean[n];
    for (int i = 0; i < n; i++) {
      DataType t = outputs.fields()[i].dataType();
      arrays[i] = t instanceof ArrayType;
      elements[i] = SparkElement.of(arrays[i] ? ((ArrayType) t).elementType() : t);
      if (elements[i] == null) {
        throw new IllegalArgumentException("output column '" + outputs.fields()[i].name() + "' has Spark type "
            + t.simpleString() + ", which no tensor gives");
      }
    }
    this.writer = new UnsafeRowWriter(n, 64);
    this.joiner = GenerateUnsafeRowJoiner.create(pass, outputs);
  }

  /** Row {@code i} of {@code outputs} after {@code passThrough}. */
  UnsafeRow write(UnsafeRow passThrough, VectorSchemaRoot outputs, int i) {
    writer.reset();
    writer.zeroOutNullBytes();
    for (int c = 0; c < elements.length; c++) {
      FieldVector v = outputs.getVector(c);
      if (v.isNull(i)) {
        writer.setNullAt(c);
      } else if (arrays[c]) {
        writeArray(c, (ListVector) v, i);
      } else {
        writeScalar(c, (BaseFixedWidthVector) v, i);
      }
    }
    return joiner.join(passThrough, writer.getRow());
  }

  private void writeScalar(int c, BaseFixedWidthVector v, int i) {
    ArrowBuf b = v.getDataBuffer();
    switch (elements[c]) {
      case FLOAT -> writer.write(c, b.getFloat(i * 4L));
      case DOUBLE -> writer.write(c, b.getDouble(i * 8L));
      case BYTE -> writer.write(c, b.getByte(i));
      case SHORT -> writer.write(c, b.getShort(i * 2L));
      case INT -> writer.write(c, b.getInt(i * 4L));
      case LONG -> writer.write(c, b.getLong(i * 8L));
      case BOOLEAN -> writer.write(c, ((BitVector) v).get(i) != 0);
    }
  }

  /** Spark's UnsafeArrayData layout: element count, null bits, values, padding to 8 bytes. */
  private void writeArray(int c, ListVector list, int i) {
    SparkElement e = elements[c];
    int start = list.getOffsetBuffer().getInt(i * 4L);
    int n = list.getOffsetBuffer().getInt((i + 1) * 4L) - start;
    int header = UnsafeArrayData.calculateHeaderPortionInBytes(n);
    int data = (int) ByteArrayMethods.roundNumberOfBytesToNearestWord((long) n * e.bytes);
    int before = writer.cursor();
    writer.grow(header + data);
    byte[] buf = writer.getBuffer();
    long at = before; // the writer's cursor already counts the array base offset
    Platform.putLong(buf, at, n);
    Platform.setMemory(buf, at + 8, header - 8, (byte) 0);
    Platform.setMemory(buf, at + header + (long) n * e.bytes, data - (long) n * e.bytes, (byte) 0);
    FieldVector values = list.getDataVector();
    if (e.sameBytes()) {
      long src = ((BaseFixedWidthVector) values).getDataBuffer().memoryAddress() + (long) start * e.bytes;
      Platform.copyMemory(null, src, buf, at + header, (long) n * e.bytes);
    } else {
      BitVector bits = (BitVector) values;
      for (int j = 0; j < n; j++) {
        Platform.putByte(buf, at + header + j, (byte) bits.get(start + j));
      }
    }
    writer.increaseCursor(header + data);
    writer.setOffsetAndSizeFromPreviousCursor(c, before);
  }
}
