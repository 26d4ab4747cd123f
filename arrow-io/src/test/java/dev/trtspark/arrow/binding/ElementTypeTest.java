package dev.trtspark.arrow.binding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.trtspark.engine.tensor.DType;
import dev.trtspark.testing.AllocatorLeakCheck;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.Types.MinorType;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The element-wise conversions of {@link ElementType}: float32 to bfloat16 (ours) and to float16 (Arrow's
 * {@code Float16}, through {@link ElementType#convert}) checked against hand-computed bit patterns and
 * against a reference rounding written from the IEEE 754 definition; integer sources keep their value
 * and sign.
 */
@ExtendWith(AllocatorLeakCheck.class)
class ElementTypeTest {
  /** IEEE 754 binary16: 5 exponent bits, 10 significand bits. */
  private static final Format HALF = new Format(5, 10);
  /** bfloat16: float32's 8 exponent bits, 7 significand bits. */
  private static final Format BFLOAT = new Format(8, 7);

  private BufferAllocator allocator;
  private final List<ArrowBuf> converted = new ArrayList<>();

  @BeforeEach
  void open(BufferAllocator allocator) {
    this.allocator = allocator;
  }

  @AfterEach
  void close() {
    converted.forEach(ArrowBuf::close); // the extension then closes the allocator, failing the test on a leak
  }

  // ---- bfloat16 ----

  @Test
  void bfloat16KeepsTheUpperHalfOfExactlyRepresentableValues() {
    assertEquals(0x3f80, bf16(0x3f800000)); // 1.0
    assertEquals(0xc040, bf16(0xc0400000)); // -3.0
    assertEquals(0x0000, bf16(0x00000000)); // +0
    assertEquals(0x8000, bf16(0x80000000)); // -0 keeps its sign
    assertEquals(0x7f7f, bf16(0x7f7f0000)); // largest finite bfloat16
  }

  @Test
  void bfloat16RoundsToTheNearestValue() {
    assertEquals(0x3f80, bf16(0x3f807fff)); // just below the midpoint of 0x3f80 and 0x3f81
    assertEquals(0x3f81, bf16(0x3f808001)); // just above it
    assertEquals(0xbf81, bf16(0xbf808001)); // negative values round their magnitude
    assertEquals(0x3f81, bf16(0x3f80ffff)); // carries into the next significand
    assertEquals(0x4000, bf16(0x3fffffff)); // and into the exponent: 1.99999988 -> 2.0
  }

  @Test
  void bfloat16BreaksTiesTowardsTheEvenSignificand() {
    assertEquals(0x3f80, bf16(0x3f808000)); // 1 + 2^-8: between 0x3f80 (even) and 0x3f81
    assertEquals(0x3f82, bf16(0x3f818000)); // between 0x3f81 and 0x3f82 (even)
    assertEquals(0xbf82, bf16(0xbf818000));
  }

  @Test
  void bfloat16OverflowsToInfinityOnlyPastTheLargestFiniteValue() {
    assertEquals(0x7f7f, bf16(0x7f7f7fff)); // below the midpoint of max and 2^128: stays finite
    assertEquals(0x7f80, bf16(0x7f7f8000)); // the midpoint ties to the even 2^128, which is infinity
    assertEquals(0x7f80, bf16(Float.floatToRawIntBits(Float.MAX_VALUE)));
    assertEquals(0xff80, bf16(Float.floatToRawIntBits(-Float.MAX_VALUE)));
  }

  @Test
  void bfloat16KeepsInfinities() {
    assertEquals(0x7f80, bf16(Float.floatToRawIntBits(Float.POSITIVE_INFINITY)));
    assertEquals(0xff80, bf16(Float.floatToRawIntBits(Float.NEGATIVE_INFINITY)));
  }

  @Test
  void bfloat16KeepsNaNsNaNWithTheirSignEvenWhenThePayloadIsOnlyInTheLowBits() {
    assertEquals(0x7fc0, bf16(0x7fc00000)); // the canonical quiet NaN
    assertEquals(0x7fc0, bf16(0x7f800001)); // truncating would make this infinity
    assertEquals(0xffc0, bf16(0xff800001));
    assertEquals(0x7fff, bf16(0x7fffffff)); // rounding would carry out of the exponent
    for (int bits : new int[] {0x7f800001, 0x7fbfffff, 0x7fc00000, 0x7fffffff, 0xff800001, 0xffffffff}) {
      assertTrue(Float.isNaN(ElementType.fromBfloat16(ElementType.toBfloat16(Float.intBitsToFloat(bits)))),
          Integer.toHexString(bits));
    }
  }

  @Test
  void bfloat16RoundsSubnormalsLikeAnyOtherValue() {
    assertEquals(0x0000, bf16(0x00000001)); // Float.MIN_VALUE flushes to +0 by rounding, not by a special case
    assertEquals(0x0000, bf16(0x00008000)); // tie between 0 (even) and the smallest bfloat16 subnormal
    assertEquals(0x0001, bf16(0x00008001));
    assertEquals(0x0002, bf16(0x00018000)); // tie between 0x0001 and 0x0002 (even)
    assertEquals(0x0080, bf16(0x007fffff)); // the largest float subnormal rounds up to the smallest normal
    assertEquals(0x8001, bf16(0x80008001));
  }

  @Test
  void bfloat16MatchesTheReferenceRoundingAtEveryValueAndMidpoint() {
    List<String> wrong = new ArrayList<>();
    for (float f : probes(BFLOAT)) {
      int expected = BFLOAT.round(f);
      int actual = ElementType.toBfloat16(f) & 0xffff;
      if (actual != expected && !(BFLOAT.isNaN(expected) && BFLOAT.isNaN(actual))) {
        wrong.add(describe(f, expected, actual));
      }
    }
    assertEquals(List.of(), wrong.subList(0, Math.min(10, wrong.size())), wrong.size() + " wrong");
  }

  @Test
  void bfloat16WidensToFloatExactly() {
    assertEquals(1.0f, ElementType.fromBfloat16((short) 0x3f80));
    assertEquals(-0x1.02p0f, ElementType.fromBfloat16((short) 0xbf81));
    assertEquals(0x1p-133f, ElementType.fromBfloat16((short) 0x0001)); // smallest subnormal
    assertEquals(0x8000_0000, Float.floatToRawIntBits(ElementType.fromBfloat16((short) 0x8000)));
    assertEquals(Float.NEGATIVE_INFINITY, ElementType.fromBfloat16((short) 0xff80));
  }

  // ---- float16, through convert ----

  @Test
  void float16FromFloatMatchesHandComputedBitPatterns() {
    float[] in = {1.0f, -2.0f, 65504f, 0x1p-14f, 0x1p-24f, 0x3ffp-24f, -0.0f, 0.1f, 0.333333343f};
    int[] expected = {0x3c00, 0xc000, 0x7bff, 0x0400, 0x0001, 0x03ff, 0x8000, 0x2e66, 0x3555};
    assertBits(expected, toHalf(in));
  }

  @Test
  void float16BreaksTiesTowardsTheEvenSignificand() {
    float[] in = {
        1 + 0x1p-11f, // between 0x3c00 (even) and 0x3c01
        1 + 0x3p-11f, // between 0x3c01 and 0x3c02 (even)
        Math.nextUp(1 + 0x1p-11f), // just above the first tie
        Math.nextDown(1 + 0x3p-11f), // just below the second
        0x1p-25f, // between +0 (even) and the smallest subnormal
        0x3p-25f, // between subnormals 0x0001 and 0x0002 (even)
        Math.nextUp(0x1p-25f)};
    int[] expected = {0x3c00, 0x3c02, 0x3c01, 0x3c01, 0x0000, 0x0002, 0x0001};
    assertBits(expected, toHalf(in));
  }

  @Test
  void float16OverflowsToInfinityFromTheMidpointPastTheLargestFiniteValue() {
    float[] in = {Math.nextDown(65520f), 65520f, 1e6f, -65520f, Float.MAX_VALUE};
    int[] expected = {0x7bff, 0x7c00, 0x7c00, 0xfc00, 0x7c00};
    assertBits(expected, toHalf(in));
  }

  @Test
  void float16KeepsInfinitiesAndNaNs() {
    int[] out = toHalf(new float[] {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN,
        Float.intBitsToFloat(0x7f800001), Float.intBitsToFloat(0xffc00000)});
    assertEquals(0x7c00, out[0]);
    assertEquals(0xfc00, out[1]);
    for (int i = 2; i < out.length; i++) {
      assertTrue(HALF.isNaN(out[i]), "element " + i + " is NaN, got 0x" + Integer.toHexString(out[i]));
    }
  }

  @Test
  void float16FlushesFloatsBelowHalfTheSmallestSubnormalToSignedZero() {
    assertBits(new int[] {0x0000, 0x8000, 0x0000}, toHalf(new float[] {Float.MIN_VALUE, -Float.MIN_VALUE, 0x1p-26f}));
  }

  @Test
  void float16MatchesTheReferenceRoundingAtEveryValueAndMidpoint() {
    float[] in = probes(HALF);
    int[] out = toHalf(in);
    List<String> wrong = new ArrayList<>();
    for (int i = 0; i < in.length; i++) {
      int expected = HALF.round(in[i]);
      if (out[i] != expected && !(HALF.isNaN(expected) && HALF.isNaN(out[i]))) {
        wrong.add(describe(in[i], expected, out[i]));
      }
    }
    assertEquals(List.of(), wrong.subList(0, Math.min(10, wrong.size())), wrong.size() + " wrong");
  }

  // ---- other sources ----

  @Test
  void unsignedBytesWidenWithoutTheirSign() {
    try (ArrowBuf src = allocator.buffer(2)) {
      src.setByte(0, 0xff);
      src.setByte(1, 0x80);
      ArrowBuf int32 = convert(src, MinorType.UINT1, DType.INT32, 2);
      assertEquals(List.of(255L, 128L), List.of(readLong(int32, 0, DType.INT32), readLong(int32, 1, DType.INT32)));
      assertEquals(255L, readLong(convert(src, MinorType.UINT1, DType.INT64, 2), 0, DType.INT64));
      assertEquals(255f, readFloat(convert(src, MinorType.UINT1, DType.FLOAT32, 2), 0));
      assertEquals(0xff, readLong(convert(src, MinorType.UINT1, DType.UINT8, 2), 0, DType.UINT8) & 0xff);
    }
  }

  @Test
  void signedIntegersWidenWithTheirSign() {
    try (ArrowBuf tiny = allocator.buffer(1); ArrowBuf small = allocator.buffer(2); ArrowBuf in = allocator.buffer(4);
        ArrowBuf big = allocator.buffer(8)) {
      tiny.setByte(0, -128);
      small.setShort(0, Short.MIN_VALUE);
      in.setInt(0, Integer.MIN_VALUE);
      big.setLong(0, Long.MIN_VALUE);
      assertEquals(-128L, readLong(convert(tiny, MinorType.TINYINT, DType.INT32, 1), 0, DType.INT32));
      assertEquals(-128L, readLong(convert(tiny, MinorType.TINYINT, DType.INT64, 1), 0, DType.INT64));
      assertEquals(-128L, readLong(convert(tiny, MinorType.TINYINT, DType.INT8, 1), 0, DType.INT8));
      assertEquals(-128f, readFloat(convert(tiny, MinorType.TINYINT, DType.FLOAT32, 1), 0));
      assertEquals((long) Short.MIN_VALUE, readLong(convert(small, MinorType.SMALLINT, DType.INT32, 1), 0, DType.INT32));
      assertEquals((long) Short.MIN_VALUE, readLong(convert(small, MinorType.SMALLINT, DType.INT64, 1), 0, DType.INT64));
      assertEquals((long) Integer.MIN_VALUE, readLong(convert(in, MinorType.INT, DType.INT64, 1), 0, DType.INT64));
      assertEquals(Long.MIN_VALUE, readLong(convert(big, MinorType.BIGINT, DType.INT64, 1), 0, DType.INT64));
    }
  }

  @Test
  void intToFloat32RoundsToNearestEvenBeyondTwoToThe24() {
    try (ArrowBuf src = allocator.buffer(12)) {
      src.setInt(0, (1 << 24) + 1); // tie between 2^24 (even) and 2^24 + 2
      src.setInt(4, (1 << 24) + 3); // tie between 2^24 + 2 and 2^24 + 4 (even)
      src.setInt(8, -((1 << 24) + 1));
      ArrowBuf out = convert(src, MinorType.INT, DType.FLOAT32, 3);
      assertEquals(List.of(16777216f, 16777220f, -16777216f), List.of(readFloat(out, 0), readFloat(out, 1), readFloat(out, 2)));
    }
  }

  @Test
  void doublesAndHalvesBecomeTheNearestFloat32() {
    try (ArrowBuf d = allocator.buffer(16); ArrowBuf h = allocator.buffer(4)) {
      d.setDouble(0, 0.1);
      d.setDouble(8, 1 + 0x1p-24); // tie between 1 (even) and 1 + 2^-23
      h.setShort(0, (short) 0x3c01); // 1 + 2^-10
      h.setShort(2, (short) 0x8001); // -2^-24
      ArrowBuf fromDouble = convert(d, MinorType.FLOAT8, DType.FLOAT32, 2);
      ArrowBuf fromHalf = convert(h, MinorType.FLOAT2, DType.FLOAT32, 2);
      assertEquals(List.of(0.1f, 1.0f, 1 + 0x1p-10f, -0x1p-24f),
          List.of(readFloat(fromDouble, 0), readFloat(fromDouble, 1), readFloat(fromHalf, 0), readFloat(fromHalf, 1)));
    }
  }

  @Test
  void doublesGoIntoSixteenBitTensorsRoundedOnceNotTwice() {
    // just above a 16-bit tie: a double rounded to float first would land exactly on the tie and round
    // to even (down); the correctly rounded result is up
    try (ArrowBuf d = allocator.buffer(32)) {
      d.setDouble(0, 1 + 0x1p-8 + 0x1p-30);   // bfloat16: between 0x3f80 and 0x3f81, nearer 0x3f81
      d.setDouble(8, -(1 + 0x1p-8 + 0x1p-30));
      d.setDouble(16, 1 + 0x1p-8 - 0x1p-30);  // just below the tie: down
      d.setDouble(24, 1 + 0x1p-8);            // on the tie: to even (down)
      ArrowBuf bf = convert(d, MinorType.FLOAT8, DType.BFLOAT16, 4);
      assertEquals(List.of(0x3f81, 0xbf81, 0x3f80, 0x3f80), List.of(bf.getShort(0) & 0xffff, bf.getShort(2) & 0xffff,
          bf.getShort(4) & 0xffff, bf.getShort(6) & 0xffff));
      d.setDouble(0, 1 + 0x1p-11 + 0x1p-30);  // float16: between 0x3c00 and 0x3c01, nearer 0x3c01
      d.setDouble(8, 1 + 0x1p-11);            // on the tie: to even (down)
      ArrowBuf half = convert(d, MinorType.FLOAT8, DType.FLOAT16, 2);
      assertEquals(List.of(0x3c01, 0x3c00), List.of(half.getShort(0) & 0xffff, half.getShort(2) & 0xffff));
    }
  }

  @Test
  void overflowIsJudgedAsConvertRoundsRightAtTheThresholds() {
    // float16: 65520 is the midpoint between 65504 (largest finite) and infinity, a tie to even: infinity
    assertFalse(ElementType.overflows(65520 - 0x1p-20, DType.FLOAT16), "rounds down to 65504");
    assertTrue(ElementType.overflows(65520, DType.FLOAT16));
    assertFalse(ElementType.overflows(-65520 + 0x1p-20, DType.FLOAT16));
    // bfloat16: the midpoint between 0x7f7f and infinity is (2 - 2^-8) * 2^127
    double mid = (2 - 0x1p-8) * 0x1p127;
    assertFalse(ElementType.overflows(mid - 0x1p90, DType.BFLOAT16), "rounds down to 0x7f7f");
    assertTrue(ElementType.overflows(mid, DType.BFLOAT16));
    // float32 from a double
    assertFalse(ElementType.overflows(Float.MAX_VALUE, DType.FLOAT32));
    assertTrue(ElementType.overflows(1e300, DType.FLOAT32));
    assertFalse(ElementType.overflows(1e300, DType.INT64), "integers are checked elsewhere");
    // only conversions that lose range are checked row by row
    assertTrue(ElementType.narrows(MinorType.FLOAT8, DType.FLOAT32));
    assertTrue(ElementType.narrows(MinorType.FLOAT4, DType.FLOAT16));
    assertTrue(ElementType.narrows(MinorType.FLOAT4, DType.BFLOAT16), "the largest floats round up to bfloat16 infinity");
    assertTrue(ElementType.overflows(Float.MAX_VALUE, DType.BFLOAT16));
    assertFalse(ElementType.narrows(MinorType.FLOAT4, DType.FLOAT32));
    assertFalse(ElementType.narrows(MinorType.FLOAT2, DType.FLOAT16));
  }

  @Test
  void halvesCopyToFloat16Unchanged() {
    int[] bits = {0x3c01, 0x0001, 0x83ff, 0x7bff, 0xfc00};
    try (ArrowBuf src = allocator.buffer(bits.length * 2L)) {
      for (int i = 0; i < bits.length; i++) {
        src.setShort(i * 2L, (short) bits[i]);
      }
      ArrowBuf out = convert(src, MinorType.FLOAT2, DType.FLOAT16, bits.length);
      for (int i = 0; i < bits.length; i++) {
        assertEquals(bits[i], out.getShort(i * 2L) & 0xffff, "element " + i);
      }
    }
  }

  @Test
  void convertWritesAtTheDestinationIndexAndReadsFromTheSourceIndex() {
    try (ArrowBuf src = allocator.buffer(16); ArrowBuf dst = allocator.buffer(16)) {
      for (int i = 0; i < 4; i++) {
        src.setInt(i * 4L, 10 + i);
        dst.setInt(i * 4L, -1);
      }
      ElementType.convert(src, MinorType.INT, 1, dst, DType.INT32, 2, 2);
      assertEquals(List.of(-1, -1, 11, 12), List.of(dst.getInt(0), dst.getInt(4), dst.getInt(8), dst.getInt(12)));
    }
  }

  @Test
  void everyTensorTypeHasARowWhoseIdentitySourceComesFirstAndWhoseRawTypeHasItsSize() {
    for (DType t : DType.values()) {
      List<MinorType> sources = ElementType.sources(t);
      assertFalse(sources.isEmpty(), t.name());
      MinorType identity = ElementType.identity(t);
      if (identity != null) {
        assertEquals(identity, sources.get(0), t.name());
      }
      ArrowType raw = ElementType.rawArrowType(t);
      if (raw instanceof ArrowType.Int i) {
        assertEquals(t.bytes() * 8, i.getBitWidth(), t.name());
      } else if (raw instanceof ArrowType.FloatingPoint f) {
        assertEquals(t.bytes(), f.getPrecision() == FloatingPointPrecision.HALF ? 2
            : f.getPrecision() == FloatingPointPrecision.SINGLE ? 4 : 8, t.name());
      }
      // the device writes an output straight into its vector exactly where the bytes are the same
      boolean sameBytes = raw != null && !(raw instanceof ArrowType.Bool) && raw.equals(ElementType.outputArrowType(t));
      assertEquals(sameBytes, ElementType.outputDirect(t), t.name());
    }
    assertEquals("float32, float16, int8, uint8, int32, int64, bool", ElementType.rawTypes());
  }

  @Test
  void docsPipelineListsTheTableAsItIs() throws Exception {
    String doc = java.nio.file.Files.readString(dev.trtspark.testing.Repo.path("docs/pipeline.md"));
    assertTrue(doc.contains("\n" + ElementType.describeSources() + ".\n"),
        "docs/pipeline.md should list the conversion table as ElementType has it:\n" + ElementType.describeSources());
  }

  @Test
  void everyListedSourceConvertsAOneIntoEveryTensorType() {
    for (DType t : DType.values()) {
      for (MinorType from : ElementType.sources(t)) {
        try (ArrowBuf src = allocator.buffer(32); ArrowBuf dst = allocator.buffer(16)) {
          src.setZero(0, 32);
          // element 3 holds 1 (bit 3 for booleans)
          switch (from) {
            case FLOAT8 -> src.setDouble(24, 1.0);
            case FLOAT4 -> src.setFloat(12, 1.0f);
            case FLOAT2 -> src.setShort(6, (short) 0x3c00);
            case BIGINT -> src.setLong(24, 1);
            case INT -> src.setInt(12, 1);
            case SMALLINT -> src.setShort(6, (short) 1);
            case TINYINT, UINT1 -> src.setByte(3, 1);
            case BIT -> src.setByte(0, 1 << 3);
            default -> throw new AssertionError(from);
          }
          ElementType.convert(src, from, 3, dst, t, 1, 1);
          long one = switch (t) {
            case FLOAT32 -> Float.floatToRawIntBits(dst.getFloat(4)) == Float.floatToRawIntBits(1.0f) ? 1 : 0;
            case FLOAT16 -> dst.getShort(2) == 0x3c00 ? 1 : 0;
            case BFLOAT16 -> dst.getShort(2) == 0x3f80 ? 1 : 0;
            case INT32 -> dst.getInt(4);
            case INT64 -> dst.getLong(8);
            case INT8, UINT8, BOOL -> dst.getByte(1);
          };
          assertEquals(1, one, from + " into " + t);
        }
      }
    }
  }

  @Test
  void booleansAreReadFromTheirBitAndWrittenAsBytes() {
    try (ArrowBuf src = allocator.buffer(2); ArrowBuf dst = allocator.buffer(12)) {
      src.setByte(0, 0b1010_0101);
      src.setByte(1, 0b0000_0010);
      ElementType.convert(src, MinorType.BIT, 0, dst, DType.BOOL, 0, 12);
      int[] got = new int[12];
      for (int i = 0; i < 12; i++) {
        got[i] = dst.getByte(i);
      }
      assertEquals(List.of(1, 0, 1, 0, 0, 1, 0, 1, 0, 1, 0, 0),
          java.util.Arrays.stream(got).boxed().toList());
    }
  }

  // ---- helpers ----

  private static int bf16(int floatBits) {
    return ElementType.toBfloat16(Float.intBitsToFloat(floatBits)) & 0xffff;
  }

  private int[] toHalf(float[] in) {
    try (ArrowBuf src = allocator.buffer(in.length * 4L); ArrowBuf dst = allocator.buffer(in.length * 2L)) {
      for (int i = 0; i < in.length; i++) {
        src.setFloat(i * 4L, in[i]);
      }
      ElementType.convert(src, MinorType.FLOAT4, 0, dst, DType.FLOAT16, 0, in.length);
      int[] out = new int[in.length];
      for (int i = 0; i < in.length; i++) {
        out[i] = dst.getShort(i * 2L) & 0xffff;
      }
      return out;
    }
  }

  /** {@code n} elements of {@code src} converted into a fresh buffer, closed after the test. */
  private ArrowBuf convert(ArrowBuf src, MinorType from, DType to, int n) {
    ArrowBuf dst = allocator.buffer((long) n * to.bytes());
    converted.add(dst);
    ElementType.convert(src, from, 0, dst, to, 0, n);
    return dst;
  }

  private static long readLong(ArrowBuf b, long i, DType t) {
    switch (t) {
      case INT8:
      case UINT8:
        return b.getByte(i);
      case INT32:
        return b.getInt(i * 4);
      case INT64:
        return b.getLong(i * 8);
      default:
        throw new IllegalArgumentException(t.toString());
    }
  }

  private static float readFloat(ArrowBuf b, long i) {
    return b.getFloat(i * 4);
  }

  private static void assertBits(int[] expected, int[] actual) {
    List<String> e = new ArrayList<>();
    List<String> a = new ArrayList<>();
    for (int i = 0; i < expected.length; i++) {
      e.add(String.format("0x%04x", expected[i]));
      a.add(String.format("0x%04x", actual[i]));
    }
    assertEquals(e, a);
  }

  private static String describe(float f, int expected, int actual) {
    return String.format("%s (0x%08x): expected 0x%04x, got 0x%04x", f, Float.floatToRawIntBits(f), expected, actual);
  }

  /**
   * Floats where rounding can go wrong: every finite value of the format, the midpoint between it and
   * the next one (the next after the largest being the overflow threshold) and the floats either side
   * of that midpoint, with both signs; plus the infinities and a NaN.
   */
  private static float[] probes(Format format) {
    List<Float> out = new ArrayList<>();
    for (int p = 0; p < format.infinity; p++) {
      double lo = format.value(p);
      float mid = (float) ((lo + format.value(p + 1)) / 2); // exact: a midpoint needs one more significand bit
      for (float f : new float[] {(float) lo, Math.nextDown(mid), mid, Math.nextUp(mid)}) {
        out.add(f);
        out.add(-f);
      }
    }
    out.add(Float.POSITIVE_INFINITY);
    out.add(Float.NEGATIVE_INFINITY);
    out.add(Float.NaN);
    float[] a = new float[out.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = out.get(i);
    }
    return a;
  }

  /**
   * A binary floating-point format with a sign bit, {@code e} exponent bits and {@code m} significand
   * bits, and IEEE 754 round-to-nearest-even into it written from the definition rather than with bit
   * tricks: the result is the representable value nearest to x; at a tie, the one whose significand is
   * even; magnitudes from the largest finite value plus half an ulp up become infinity (as if rounded to
   * 2^(emax+1), whose significand is even, which does not exist and overflows).
   */
  private static final class Format {
    final int m;
    final int bias;
    /** The bit pattern of +infinity; patterns 0 .. infinity - 1 are the finite non-negative values, ascending. */
    final int infinity;

    Format(int e, int m) {
      this.m = m;
      this.bias = (1 << (e - 1)) - 1;
      this.infinity = ((1 << e) - 1) << m;
    }

    /** The value of a non-negative pattern; the infinity pattern counts as 2^(emax+1), where overflow starts. */
    double value(int pattern) {
      int exponent = pattern >>> m;
      int significand = pattern & ((1 << m) - 1);
      return exponent == 0
          ? Math.scalb((double) significand, 1 - bias - m)
          : Math.scalb((double) ((1 << m) + significand), exponent - bias - m);
    }

    boolean isNaN(int pattern) {
      return (pattern & infinity) == infinity && (pattern & ((1 << m) - 1)) != 0;
    }

    int round(float x) {
      int sign = Float.floatToRawIntBits(x) < 0 ? 0x8000 : 0;
      if (Float.isNaN(x)) {
        return sign | infinity | (1 << (m - 1));
      }
      double v = Math.abs((double) x);
      if (v >= value(infinity)) {
        return sign | infinity;
      }
      int lo = 0; // the largest pattern whose value is <= v
      int hi = infinity;
      while (hi - lo > 1) {
        int mid = (lo + hi) >>> 1;
        if (value(mid) <= v) {
          lo = mid;
        } else {
          hi = mid;
        }
      }
      if (value(lo) == v) {
        return sign | lo;
      }
      BigDecimal twice = new BigDecimal(v).multiply(BigDecimal.valueOf(2));
      int c = twice.compareTo(new BigDecimal(value(lo)).add(new BigDecimal(value(lo + 1))));
      int nearest = c < 0 ? lo : c > 0 ? lo + 1 : (lo % 2 == 0 ? lo : lo + 1);
      return sign | nearest;
    }
  }
}
