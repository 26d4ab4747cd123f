package dev.trtspark.arrow.binding;

import dev.trtspark.engine.tensor.DType;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.DoublePredicate;
import java.util.stream.Collectors;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.util.Float16;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.Types;
import org.apache.arrow.vector.types.Types.MinorType;
import org.apache.arrow.vector.types.pojo.ArrowType;

/**
 * The one conversion table between tensor element types and Arrow: for each {@link DType}, how its own
 * elements look in Arrow, which Arrow columns may feed it (no silent narrowing of integers, no
 * signed/unsigned mix-ups), which floating sources lose range going in, the element-wise copy that
 * converts them, and what an output tensor of that type comes back as. Every caller (input binding,
 * output columns, Spark's input sources through {@link #rawArrowType}) reads it here; a new tensor type
 * is a row here and a constant in {@link DType}.
 */
public final class ElementType {
  private ElementType() {}

  /** Converts {@code n} elements of an Arrow buffer of type {@code from} into a tensor buffer. */
  @FunctionalInterface
  private interface Converter {
    void convert(ArrowBuf src, MinorType from, long srcIndex, ArrowBuf dst, long dstIndex, long n);
  }

  /** Widens {@code n} staged output elements into the vector of the output's Arrow type. */
  @FunctionalInterface
  private interface Widener {
    void widen(ArrowBuf staged, BaseFixedWidthVector values, int n);
  }

  /**
   * One tensor type.
   *
   * @param raw its elements as Arrow stores them, byte for byte (null where Arrow has no such type)
   * @param sources the Arrow types a column may hold to feed it, identity first, in the order messages list them
   * @param output the Arrow type an output tensor comes back as
   * @param narrowing the floating sources whose range the tensor type lacks
   * @param overflows whether a finite value becomes infinite in it, rounded as {@code in} rounds
   * @param in the conversion from any of {@code sources}
   * @param out the widening of an output into {@code output}; null where the device writes its bytes directly
   */
  private record Row(ArrowType raw, List<MinorType> sources, ArrowType output, Set<MinorType> narrowing,
      DoublePredicate overflows, Converter in, Widener out) {}

  private static final ArrowType FLOAT = new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
  private static final DoublePredicate NEVER = v -> false;

  private static final Map<DType, Row> TABLE = new EnumMap<>(Map.of(
      DType.FLOAT32, new Row(FLOAT,
          List.of(MinorType.FLOAT4, MinorType.FLOAT8, MinorType.FLOAT2, MinorType.TINYINT, MinorType.UINT1,
              MinorType.SMALLINT, MinorType.INT),
          FLOAT, Set.of(MinorType.FLOAT8), v -> Float.isInfinite((float) v),
          (src, from, s, dst, d, n) -> {
            for (long k = 0; k < n; k++) {
              dst.setFloat((d + k) * 4, (float) readDouble(src, from, s + k));
            }
          }, null),
      DType.FLOAT16, new Row(new ArrowType.FloatingPoint(FloatingPointPrecision.HALF),
          List.of(MinorType.FLOAT2, MinorType.FLOAT4, MinorType.FLOAT8),
          FLOAT, Set.of(MinorType.FLOAT4, MinorType.FLOAT8), v -> Float.isInfinite(Float16.toFloat(toFloat16(v))),
          (src, from, s, dst, d, n) -> {
            for (long k = 0; k < n; k++) {
              dst.setShort((d + k) * 2, toFloat16(readDouble(src, from, s + k)));
            }
          },
          (staged, values, n) -> {
            for (int i = 0; i < n; i++) {
              values.getDataBuffer().setFloat((long) i * 4, Float16.toFloat(staged.getShort((long) i * 2)));
            }
          }),
      // a float near its largest value rounds up to bfloat16's infinity: floats narrow too
      DType.BFLOAT16, new Row(null, List.of(MinorType.FLOAT4, MinorType.FLOAT8),
          FLOAT, Set.of(MinorType.FLOAT4, MinorType.FLOAT8), v -> (toBfloat16(toFloatRoundToOdd(v)) & 0x7fff) == 0x7f80,
          (src, from, s, dst, d, n) -> {
            for (long k = 0; k < n; k++) {
              dst.setShort((d + k) * 2, toBfloat16(toFloatRoundToOdd(readDouble(src, from, s + k))));
            }
          },
          (staged, values, n) -> {
            for (int i = 0; i < n; i++) {
              values.getDataBuffer().setFloat((long) i * 4, fromBfloat16(staged.getShort((long) i * 2)));
            }
          }),
      DType.INT32, integer(32, true, MinorType.INT, MinorType.SMALLINT, MinorType.TINYINT, MinorType.UINT1),
      DType.INT64, integer(64, true, MinorType.BIGINT, MinorType.INT, MinorType.SMALLINT, MinorType.TINYINT,
          MinorType.UINT1),
      DType.INT8, integer(8, true, MinorType.TINYINT),
      DType.UINT8, integer(8, false, MinorType.UINT1),
      // one bit per value in Arrow, one byte in the tensor
      DType.BOOL, new Row(ArrowType.Bool.INSTANCE, List.of(MinorType.BIT), ArrowType.Bool.INSTANCE, Set.of(), NEVER,
          integerCopy(1),
          (staged, values, n) -> {
            for (int i = 0; i < n; i++) {
              ((BitVector) values).set(i, staged.getByte(i) != 0 ? 1 : 0);
            }
          })));

  static {
    for (DType t : DType.values()) {
      if (!TABLE.containsKey(t)) {
        throw new ExceptionInInitializerError("no conversion row for " + t);
      }
    }
  }

  /** A signed or unsigned integer type of {@code bits}: fed by integers it holds every value of. */
  private static Row integer(int bits, boolean signed, MinorType... sources) {
    ArrowType own = new ArrowType.Int(bits, signed);
    return new Row(own, List.of(sources), own, Set.of(), NEVER, integerCopy(bits / 8), null);
  }

  private static Converter integerCopy(int bytes) {
    return (src, from, s, dst, d, n) -> {
      for (long k = 0; k < n; k++) {
        long v = readLong(src, from, s + k);
        switch (bytes) {
          case 1 -> dst.setByte(d + k, (byte) v);
          case 4 -> dst.setInt((d + k) * 4, (int) v);
          case 8 -> dst.setLong((d + k) * 8, v);
          default -> throw new IllegalArgumentException("no integer copy of " + bytes + " bytes: add one here");
        }
      }
    };
  }

  private static Row row(DType t) {
    return TABLE.get(t);
  }

  /**
   * The Arrow type of a tensor type's own elements, byte for byte (a binary column of raw bytes is read
   * as these), or null where Arrow has no such type (bfloat16).
   */
  public static ArrowType rawArrowType(DType t) {
    return row(t).raw();
  }

  /** The tensor types a column of raw bytes can carry, for messages ("float32, float16, ..."). */
  public static String rawTypes() {
    return Arrays.stream(DType.values()).filter(t -> row(t).raw() != null).map(DType::display)
        .collect(Collectors.joining(", "));
  }

  /**
   * Which Arrow types feed which tensor types, as docs/pipeline.md says it ("float32 from float / double /
   * ...; ..."): a test keeps the two the same.
   */
  static String describeSources() {
    return Arrays.stream(DType.values()).map(t -> t.display() + " from " + row(t).sources().stream()
        .map(ElementType::arrowName).collect(Collectors.joining(" / "))).collect(Collectors.joining("; "));
  }

  /** The Arrow types a column may hold to feed a tensor of type {@code t}, identity first. */
  public static List<MinorType> sources(DType t) {
    return row(t).sources();
  }

  /**
   * The Arrow type whose values are the tensor's bytes as they are (one memcpy), or null where every
   * source converts (bfloat16, and booleans: bits in Arrow, bytes in the tensor).
   */
  static MinorType identity(DType t) {
    ArrowType raw = row(t).raw();
    return raw == null || raw instanceof ArrowType.Bool ? null : Types.getMinorTypeForArrowType(raw);
  }

  static boolean isFloat(MinorType t) {
    return t == MinorType.FLOAT2 || t == MinorType.FLOAT4 || t == MinorType.FLOAT8;
  }

  static String arrowName(MinorType t) {
    switch (t) {
      case FLOAT4:
        return "float";
      case FLOAT8:
        return "double";
      case FLOAT2:
        return "half";
      case TINYINT:
        return "tinyint";
      case UINT1:
        return "uint8";
      case SMALLINT:
        return "smallint";
      case INT:
        return "int";
      case BIGINT:
        return "bigint";
      case BIT:
        return "boolean";
      default:
        return t.name().toLowerCase();
    }
  }

  /** The Arrow type an output tensor comes back as: half and bfloat16 widen to float for Spark. */
  static ArrowType outputArrowType(DType t) {
    return row(t).output();
  }

  /** Whether the device writes an output tensor straight into the output vector (no widening after). */
  static boolean outputDirect(DType t) {
    return row(t).out() == null;
  }

  /** Widens {@code n} staged elements of an output tensor of type {@code t} into {@code values}. */
  static void widenOutput(DType t, ArrowBuf staged, BaseFixedWidthVector values, int n) {
    row(t).out().widen(staged, values, n);
  }

  /** Whether a floating source loses range going into {@code to} (double to float32, wider to 16 bits). */
  static boolean narrows(MinorType from, DType to) {
    return row(to).narrowing().contains(from);
  }

  /**
   * Whether the finite value {@code v} becomes infinite in a tensor of type {@code to}: larger than that
   * type's largest finite value once rounded as {@link #convert} rounds it (70000 in float16, 1e300 in
   * float32).
   */
  static boolean overflows(double v, DType to) {
    return row(to).overflows().test(v);
  }

  /**
   * Copies {@code n} elements from {@code src[srcIndex..]} (Arrow type {@code from}, one of
   * {@link #sources}) into {@code dst[dstIndex..]} (tensor type {@code to}), converting.
   */
  static void convert(ArrowBuf src, MinorType from, long srcIndex, ArrowBuf dst, DType to, long dstIndex, long n) {
    row(to).in().convert(src, from, srcIndex, dst, dstIndex, n);
  }

  /** Reads element {@code i} of a fixed-width Arrow buffer as a double (floating sources). */
  static double readDouble(ArrowBuf b, MinorType t, long i) {
    switch (t) {
      case FLOAT4:
        return b.getFloat(i * 4);
      case FLOAT8:
        return b.getDouble(i * 8);
      case FLOAT2:
        return Float16.toFloat(b.getShort(i * 2));
      default:
        return readLong(b, t, i);
    }
  }

  /** Reads element {@code i} as a long (integer and boolean sources). */
  static long readLong(ArrowBuf b, MinorType t, long i) {
    switch (t) {
      case TINYINT:
        return b.getByte(i);
      case UINT1:
        return b.getByte(i) & 0xff;
      case SMALLINT:
        return b.getShort(i * 2);
      case INT:
        return b.getInt(i * 4);
      case BIGINT:
        return b.getLong(i * 8);
      case BIT:
        return (b.getByte(i >>> 3) >>> (i & 7)) & 1;
      default:
        throw new IllegalArgumentException(t.toString());
    }
  }

  private static short toFloat16(double v) {
    return Float16.toFloat16(toFloatRoundToOdd(v));
  }

  /**
   * A double as a float rounded to odd (an inexact result keeps its last bit set), the intermediate step
   * for a double going into a 16-bit float: rounding it to nearest-even twice (double to float, float to
   * half) could land on a tie the double was not on and round the wrong way; float has at least two bits
   * more than either 16-bit type, so rounding to odd first and to nearest-even second rounds the double
   * correctly.
   */
  static float toFloatRoundToOdd(double d) {
    float f = (float) d;
    if (Double.isNaN(d) || Float.isInfinite(f) || (double) f == d) {
      return f;
    }
    int bits = Float.floatToRawIntBits(f);
    if (Math.abs((double) f) > Math.abs(d)) {
      bits -= 1;  // rounded away from zero: step back one ulp toward it (bits are sign and magnitude)
    }
    return Float.intBitsToFloat(bits | 1);
  }

  /** float32 to bfloat16, rounding to nearest even; NaN stays NaN. */
  static short toBfloat16(float f) {
    int bits = Float.floatToRawIntBits(f);
    if (Float.isNaN(f)) {
      return (short) ((bits >>> 16) | 0x40);
    }
    int rounding = 0x7fff + ((bits >>> 16) & 1);
    return (short) ((bits + rounding) >>> 16);
  }

  static float fromBfloat16(short h) {
    return Float.intBitsToFloat((h & 0xffff) << 16);
  }
}
