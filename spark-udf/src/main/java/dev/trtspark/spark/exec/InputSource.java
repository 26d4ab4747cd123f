package dev.trtspark.spark.exec;

import dev.trtspark.arrow.binding.ElementType;
import dev.trtspark.engine.tensor.DType;
import dev.trtspark.engine.tensor.TensorInfo;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.vector.types.Types;
import org.apache.arrow.vector.types.Types.MinorType;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.StructType;

/**
 * The Spark side of one input binding: which columns feed the tensor and in what shape Spark holds
 * them. Every kind becomes one Arrow column that arrow-io's {@code InputColumn} checks and converts by
 * its one table of element types (so the rules for lengths, nulls, NaN and conversions are the same
 * whatever Spark holds):
 *
 * <table>
 *   <caption>Spark shapes</caption>
 *   <tr><th>kind</th><th>Spark</th><th>Arrow column</th></tr>
 *   <tr><td>SCALAR</td><td>a primitive column (one value per row)</td><td>the primitive</td></tr>
 *   <tr><td>ARRAY</td><td>{@code array<primitive>}, the row's values flat, row-major</td><td>{@code list}</td></tr>
 *   <tr><td>NESTED</td><td>{@code array<array<...>>}, one level per tensor dimension after rows, rectangular</td>
 *       <td>{@code list} of the leaves; a ragged row is a bad row ({@code RAGGED})</td></tr>
 *   <tr><td>BINARY</td><td>{@code binary}: the raw little-endian bytes of the tensor's own type (uint8 pixels,
 *       float32 values, ...)</td><td>{@code list} of the tensor's type; a length that is not a whole number of
 *       elements is a bad row</td></tr>
 *   <tr><td>VECTOR</td><td>a Spark ML {@code Vector} (sparse ones densified to their size)</td><td>{@code list<double>}</td></tr>
 *   <tr><td>SCALARS</td><td>several primitive columns, one value each ({@code --bind input=f0,f1,f2} or
 *       {@code input=f*})</td><td>{@code list} of their common type (the same, else bigint for integers,
 *       else double); a null value is a null element</td></tr>
 * </table>
 *
 * @param column the binding's column text as written (the Arrow column's name)
 * @param columns the Spark columns it resolved to, in order
 * @param types their Spark types
 */
public record InputSource(String tensor, String column, List<String> columns, List<org.apache.spark.sql.types.DataType> types)
    implements Serializable {

  /** How Spark holds the values. */
  public enum Kind {
    SCALAR, ARRAY, NESTED, BINARY, VECTOR, SCALARS
  }

  public InputSource {
    columns = List.copyOf(columns);
    types = List.copyOf(types);
  }

  /**
   * The columns a binding's column text names in {@code schema}: one name, a comma-separated list, or a
   * prefix ending in {@code *} (the matching columns in the table's order).
   *
   * @throws IllegalArgumentException naming what is missing and the table's columns
   */
  public static List<String> resolve(String text, String tensor, StructType schema) {
    List<String> names = Arrays.asList(schema.fieldNames());
    List<String> out = new ArrayList<>();
    if (text.endsWith("*") && !text.contains(",")) {
      String prefix = text.substring(0, text.length() - 1);
      names.stream().filter(n -> n.startsWith(prefix)).forEach(out::add);
      if (out.isEmpty()) {
        throw new IllegalArgumentException("no input column matches '" + text + "' (for tensor '" + tensor
            + "'); the columns are " + names);
      }
      return out;
    }
    for (String part : text.split(",")) {
      String name = part.trim();
      if (!names.contains(name)) {
        throw new IllegalArgumentException("input column '" + name + "' (for tensor '" + tensor + "') does not exist; "
            + "the columns are " + names);
      }
      out.add(name);
    }
    return out;
  }

  public Kind kind() {
    if (types.size() > 1) {
      return Kind.SCALARS;
    }
    org.apache.spark.sql.types.DataType t = types.get(0);
    if (t instanceof BinaryType) {
      return Kind.BINARY;
    }
    if (t.equals(SQLDataTypes.VectorType())) {
      return Kind.VECTOR;
    }
    if (t instanceof ArrayType a) {
      return a.elementType() instanceof ArrayType ? Kind.NESTED : Kind.ARRAY;
    }
    return Kind.SCALAR;
  }

  /** Levels of arrays around the values (0 for a scalar). */
  int depth() {
    int d = 0;
    for (org.apache.spark.sql.types.DataType t = types.get(0); t instanceof ArrayType a; t = a.elementType()) {
      d++;
    }
    return d;
  }

  private org.apache.spark.sql.types.DataType leaf() {
    org.apache.spark.sql.types.DataType t = types.get(0);
    while (t instanceof ArrayType a) {
      t = a.elementType();
    }
    return t;
  }

  /**
   * The Spark element the values are read as; for BINARY the element of the tensor's own type (one per
   * {@code bytes} of raw data).
   *
   * @throws IllegalArgumentException when these Spark types cannot feed a tensor of this type
   */
  SparkElement element(TensorInfo t) {
    switch (kind()) {
      case BINARY:
        ArrowType raw = ElementType.rawArrowType(t.dataType());
        if (raw == null) {
          throw wrong(t, "binary columns carry the raw bytes of " + ElementType.rawTypes() + " tensors; give "
              + t.dataType().display() + " values as an array of float or double");
        }
        return SparkElement.carrying(raw);
      case VECTOR:
        return SparkElement.DOUBLE;
      case SCALARS:
        return common(t);
      default:
        SparkElement e = SparkElement.of(leaf());
        if (e == null) {
          throw wrong(t, "its values must be numbers or booleans (Spark " + leaf().simpleString() + ")");
        }
        if (kind() == Kind.NESTED && depth() != t.rank() - 1) {
          throw wrong(t, "it has " + depth() + " levels of arrays, and the tensor " + TensorInfo.format(t.shape())
              + " takes " + (t.rank() - 1) + " (one per dimension after rows) or one flat array per row");
        }
        return e;
    }
  }

  private SparkElement common(TensorInfo t) {
    List<SparkElement> es = new ArrayList<>();
    for (int i = 0; i < types.size(); i++) {
      SparkElement e = SparkElement.of(types.get(i));
      if (e == null || e == SparkElement.BOOLEAN && types.stream().anyMatch(x -> !x.equals(types.get(0)))) {
        throw wrong(t, "column '" + columns.get(i) + "' is " + types.get(i).simpleString() + "; several columns feed one "
            + "tensor when each holds one number (or all hold booleans)");
      }
      es.add(e);
    }
    if (es.stream().allMatch(e -> e == es.get(0))) {
      return es.get(0);
    }
    boolean floating = es.stream().anyMatch(e -> e == SparkElement.FLOAT || e == SparkElement.DOUBLE);
    return floating ? SparkElement.DOUBLE : SparkElement.LONG;
  }

  /** The Arrow column the input batch builder fills for this source (checked by arrow-io on the driver). */
  public Field arrowField(TensorInfo t) {
    SparkElement e = element(t);
    ArrowType values = kind() == Kind.BINARY ? ElementType.rawArrowType(t.dataType()) : e.arrowType();
    if (kind() == Kind.SCALAR) {
      return new Field(column, FieldType.nullable(values), null);
    }
    return new Field(column, FieldType.nullable(ArrowType.List.INSTANCE),
        List.of(new Field("element", FieldType.nullable(values), null)));
  }

  /**
   * The Spark type whose values feed a tensor of type {@code t} with the least conversion (the first of
   * arrow-io's sources for it that Spark has), or null where only raw bytes do (uint8).
   */
  public static org.apache.spark.sql.types.DataType sparkTypeFeeding(DType t) {
    for (MinorType m : ElementType.sources(t)) {
      for (SparkElement e : SparkElement.values()) {
        if (Types.getMinorTypeForArrowType(e.arrowType()) == m) {
          return e.spark;
        }
      }
    }
    return null;
  }

  private IllegalArgumentException wrong(TensorInfo t, String why) {
    String what = columns.size() == 1 ? "column '" + columns.get(0) + "' (" + types.get(0).simpleString() + ")"
        : "columns " + columns;
    return new IllegalArgumentException(what + " cannot feed tensor '" + t.name() + "' (" + t.dataType().display() + " "
        + TensorInfo.format(t.shape()) + "): " + why);
  }
}
