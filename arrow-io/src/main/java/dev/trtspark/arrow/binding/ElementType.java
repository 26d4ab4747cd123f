package dev.trtspark.arrow.binding;

import dev.trtspark.engine.tensor.DType;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.util.Float16;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.Types.MinorType;
import org.apache.arrow.vector.types.pojo.ArrowType;

/**
 * Arrow element types a tensor can be fed from, which conversions are allowed (no silent narrowing
 * of integers, no signed/unsigned mix-ups), and the element-wise copy that does them.
 */
final class ElementType {
  private ElementType() {}

  /** Arrow sources per tensor type, in the order error messages list them; identity first. */
  static final Map<DType, List<MinorType>> ALLOWED = Map.of(
      DType.FLOAT32, List.of(MinorType.FLOAT4, MinorType.FLOAT8, MinorType.FLOAT2, MinorType.TINYINT,
          MinorType.UINT1, MinorType.SMALLINT, MinorType.INT),
      DType.FLOAT16, List.of(MinorType.FLOAT2, MinorType.FLOAT4, MinorType.FLOAT8),
      DType.BFLOAT16, List.of(MinorType.FLOAT4, MinorType.FLOAT8),
      DType.INT32, List.of(MinorType.INT, MinorType.SMALLINT, MinorType.TINYINT, MinorType.UINT1),
      DType.INT64, List.of(MinorType.BIGINT, MinorType.INT, MinorType.SMALLINT, MinorType.TINYINT, MinorType.UINT1),
      DType.INT8, List.of(MinorType.TINYINT),
      DType.UINT8, List.of(MinorType.UINT1),
      DType.BOOL, List.of(MinorType.BIT));

  static final Map<DType, MinorType> IDENTITY = Map.of(DType.FLOAT32, MinorType.FLOAT4, DType.FLOAT16,
      MinorType.FLOAT2, DType.INT32, MinorType.INT, DType.INT64, MinorType.BIGINT, DType.INT8, MinorType.TINYINT,
      DType.UINT8, MinorType.UINT1);

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
    switch (t) {
      case FLOAT32:
      case FLOAT16:
      case BFLOAT16:
        return new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
      case INT8:
        return new ArrowType.Int(8, true);
      case UINT8:
        return new ArrowType.Int(8, false);
      case INT32:
        return new ArrowType.Int(32, true);
      case INT64:
        return new ArrowType.Int(64, true);
      case BOOL:
        return ArrowType.Bool.INSTANCE;
      default:
        throw new IllegalArgumentException(t.toString());
    }
  }

  /** Whether a floating source loses range going into {@code to} (double to float32, wider to 16 bits). */
  static boolean narrows(MinorType from, DType to) {
    return switch (to) {
      case FLOAT32 -> from == MinorType.FLOAT8;
      case FLOAT16 -> from == MinorType.FLOAT4 || from == MinorType.FLOAT8;
      case BFLOAT16 -> from == MinorType.FLOAT4 || from == MinorType.FLOAT8;  // a float near its max rounds up
      default -> false;
    };
  }

  /**
   * Whether the finite value {@code v} becomes infinite in a tensor of type {@code to}: larger than that
   * type's largest finite value once rounded as {@link #convert} rounds it (70000 in float16, 1e300 in
   * float32).
   */
  static boolean overflows(double v, DType to) {
    switch (to) {
      case FLOAT32:
        return Float.isInfinite((float) v);
      case FLOAT16:
        return Float.isInfinite(Float16.toFloat(Float16.toFloat16(toFloatRoundToOdd(v))));
      case BFLOAT16:
        return (toBfloat16(toFloatRoundToOdd(v)) & 0x7fff) == 0x7f80;
      default:
        return false;
    }
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

  /** Reads element {@code i} as a long (integer sources). */
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
      default:
        throw new IllegalArgumentException(t.toString());
    }
  }

  /**
   * Copies {@code n} elements from {@code src[srcIndex..]} (Arrow type {@code from}) into
   * {@code dst[dstIndex..]} (tensor type {@code to}), converting.
   */
  static void convert(ArrowBuf src, MinorType from, long srcIndex, ArrowBuf dst, DType to, long dstIndex, long n) {
    for (long k = 0; k < n; k++) {
      long s = srcIndex + k;
      long d = dstIndex + k;
      switch (to) {
        case FLOAT32:
          dst.setFloat(d * 4, (float) readDouble(src, from, s));
          break;
        case FLOAT16:
          dst.setShort(d * 2, Float16.toFloat16(toFloatRoundToOdd(readDouble(src, from, s))));
          break;
        case BFLOAT16:
          dst.setShort(d * 2, toBfloat16(toFloatRoundToOdd(readDouble(src, from, s))));
          break;
        case INT32:
          dst.setInt(d * 4, (int) readLong(src, from, s));
          break;
        case INT64:
          dst.setLong(d * 8, readLong(src, from, s));
          break;
        case INT8:
        case UINT8:
          dst.setByte(d, (byte) readLong(src, from, s));
          break;
        default:
          throw new IllegalArgumentException(to.toString());
      }
    }
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
