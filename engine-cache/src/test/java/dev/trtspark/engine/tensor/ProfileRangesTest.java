package dev.trtspark.engine.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.trtspark.conf.BuildFlags;
import dev.trtspark.conf.ResolvedConfig;
import dev.trtspark.engine.BackendConformance;
import dev.trtspark.engine.EngineException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link ProfileRanges}: the min / opt / max shape of each input from the build options, and the
 * length buckets and per-bucket profiles of variable-length inputs.
 */
class ProfileRangesTest {
  private static final long INF = TensorInfo.UNBOUNDED;
  private static final long[] ROWS_OF_3 = {-1, 3};
  private static final long[] TOKENS = {-1, -1};

  // ---- of: min / opt / max ----

  @Test
  void aDynamicBatchTakesTheBatchOptionsAndOptDefaultsToMax() {
    assertRanges(new long[][] {{1, 3}, {1024, 3}, {1024, 3}}, ProfileRanges.of("x", ROWS_OF_3, config(), "m.onnx", true));
    assertRanges(new long[][] {{2, 3}, {8, 3}, {16, 3}}, ProfileRanges.of("x", ROWS_OF_3,
        config("build.minBatch", "2", "build.optBatch", "8", "build.maxBatch", "16"), "m.onnx", true));
  }

  @Test
  void aStaticInputHasOneShape() {
    assertRanges(new long[][] {{4, 3}, {4, 3}, {4, 3}}, ProfileRanges.of("x", new long[] {4, 3}, config(), "m.onnx", true));
  }

  @Test
  void shapeOptionsForTheInputWinOverTheBatchOptions() {
    ResolvedConfig c = config("build.maxBatch", "16", "build.minShapes", "ids:1x8,x:2x3", "build.optShapes", "ids:4x64",
        "build.maxShapes", "ids:8x128");
    assertRanges(new long[][] {{1, 8}, {4, 64}, {8, 128}}, ProfileRanges.of("ids", TOKENS, c, "m.onnx", true));
    // x is named only in minShapes: opt and max come from the batch options
    assertRanges(new long[][] {{2, 3}, {16, 3}, {16, 3}}, ProfileRanges.of("x", ROWS_OF_3, c, "m.onnx", true));
  }

  @Test
  void onOnnxRuntimeOtherDynamicDimensionsWithoutARangeAreOpen() {
    assertRanges(new long[][] {{1, 1}, {1024, 1}, {1024, INF}}, ProfileRanges.of("ids", TOKENS, config(), "m.onnx", false));
  }

  @Test
  void onTensorRtADynamicDimensionWithoutARangeFailsNamingTheOptionsToGive() {
    EngineException e = assertThrows(EngineException.class,
        () -> ProfileRanges.of("ids", TOKENS, config(), "m.onnx", true));
    assertEquals("input ids of m.onnx has dynamic dimension 1 [-1x-1]; give its range with spark.trt.build.minShapes, "
        + "spark.trt.build.optShapes and spark.trt.build.maxShapes (" + BuildFlags.command(BuildFlags.MIN_SHAPES, "ids:...")
        + ")", e.getMessage());
  }

  @Test
  void theMissingRangeErrorNamesTheFirstOfMinOptMaxThatIsMissing() {
    EngineException e = assertThrows(EngineException.class, () -> ProfileRanges.of("ids", TOKENS,
        config("build.minShapes", "ids:1x8", "build.maxShapes", "ids:8x128"), "m.onnx", true));
    assertTrue(e.getMessage().endsWith("(" + BuildFlags.command(BuildFlags.OPT_SHAPES, "ids:...") + ")"), e.getMessage());
  }

  @Test
  void aDerivedOptStaysInsideTheRangeTheUserGave() {
    // opt from maxBatch (1024) would exceed the given max of 8 rows
    assertRanges(new long[][] {{2, 3}, {8, 3}, {8, 3}}, ProfileRanges.of("x", ROWS_OF_3,
        config("build.minShapes", "x:2x3", "build.maxShapes", "x:8x3"), "m.onnx", true));
    // opt from optBatch (1) would fall below the given min of 2 rows
    assertRanges(new long[][] {{2, 3}, {2, 3}, {8, 3}}, ProfileRanges.of("x", ROWS_OF_3,
        config("build.optBatch", "1", "build.minShapes", "x:2x3", "build.maxShapes", "x:8x3"), "m.onnx", true));
    // an open dimension's opt (1) on ONNX Runtime is inside too
    assertRanges(new long[][] {{1, 1}, {8, 1}, {8, 128}}, ProfileRanges.of("ids", TOKENS,
        config("build.maxShapes", "ids:8x128"), "m.onnx", false));
  }

  @Test
  void aGivenOptOutsideTheRangeFailsNamingTheDimensionAndAllThreeShapes() {
    EngineException e = assertThrows(EngineException.class, () -> ProfileRanges.of("x", ROWS_OF_3,
        config("build.minShapes", "x:2x3", "build.optShapes", "x:16x3", "build.maxShapes", "x:8x3"), "m.onnx", true));
    assertEquals("profile of input x is not ordered in dimension 0: min [2x3], opt [16x3], max [8x3]", e.getMessage());
  }

  @Test
  void aShapeOfTheWrongRankFailsNamingTheOptionAndBothShapes() {
    EngineException e = assertThrows(EngineException.class,
        () -> ProfileRanges.of("x", ROWS_OF_3, config("build.maxShapes", "x:8"), "m.onnx", true));
    assertEquals("spark.trt.build.maxShapes gives x rank 1 [8]; the model's input has rank 2 [-1x3]", e.getMessage());
  }

  @Test
  void aShapeThatChangesAFixedDimensionFailsNamingTheModelsValue() {
    EngineException e = assertThrows(EngineException.class,
        () -> ProfileRanges.of("x", ROWS_OF_3, config("build.minShapes", "x:1x4"), "m.onnx", true));
    assertEquals("spark.trt.build.minShapes gives x dimension 1 = 4, but the model fixes it at 3", e.getMessage());
  }

  // ---- bucketBounds ----

  @Test
  void bucketsShorterThanTheLongestLengthComeFirstAndTheLongestIsTheLastBucket() {
    assertArrayEquals(new long[] {16, 32, 64, 128}, bounds("16,32,64", tokens(1, 128)));
  }

  @Test
  void theMaxShapesLengthIsTheLastBucketEvenWhenABucketReachesOrPassesIt() {
    assertArrayEquals(new long[] {16, 128}, bounds("16,128", tokens(1, 128)));
    assertArrayEquals(new long[] {16, 128}, bounds("16,256,512", tokens(1, 128)));
    assertArrayEquals(new long[] {128}, bounds("256", tokens(1, 128)));
  }

  @Test
  void bucketsShorterThanTheShortestLengthAreDropped() {
    assertArrayEquals(new long[] {8, 16, 128}, bounds("4,8,16", tokens(8, 128)));
  }

  @Test
  void severalVariableLengthInputsShareBucketsFromTheShortestMinToTheLongestMax() {
    Map<String, long[][]> ranges = new LinkedHashMap<>();
    ranges.put("ids", range(new long[] {1, 4}, new long[] {8, 32}, new long[] {8, 32}));
    ranges.put("mask", range(new long[] {1, 2}, new long[] {8, 64}, new long[] {8, 64}));
    ranges.put("x", range(new long[] {1, 3}, new long[] {8, 3}, new long[] {8, 3}));
    Map<String, long[]> declared = Map.of("ids", TOKENS, "mask", TOKENS, "x", ROWS_OF_3);
    assertArrayEquals(new long[] {2, 16, 32, 64},
        ProfileRanges.bucketBounds(ranges, declared, config("build.lengthBuckets", "1,2,16,32")));
  }

  @Test
  void anUnboundedLengthIsTheLastBucketAsUnbounded() {
    Map<String, long[][]> ranges = Map.of("ids", ProfileRanges.of("ids", TOKENS, config(), "m.onnx", false));
    assertArrayEquals(new long[] {16, INF},
        ProfileRanges.bucketBounds(ranges, Map.of("ids", TOKENS), config("build.lengthBuckets", "16")));
  }

  @Test
  void thereAreNoBucketsWithoutTheOptionOrWithoutAVariableLengthInput() {
    assertArrayEquals(new long[0], ProfileRanges.bucketBounds(tokens(1, 128), Map.of("ids", TOKENS), config()));
    Map<String, long[][]> fixedWidth = Map.of("x", range(new long[] {1, 3}, new long[] {8, 3}, new long[] {8, 3}));
    assertArrayEquals(new long[0], ProfileRanges.bucketBounds(fixedWidth, Map.of("x", ROWS_OF_3),
        config("build.lengthBuckets", "16")));
    // rank 3 with a dynamic dimension 1 is not a padded sequence
    Map<String, long[][]> rank3 = Map.of("v", range(new long[] {1, 1, 8}, new long[] {8, 64, 8}, new long[] {8, 64, 8}));
    assertArrayEquals(new long[0], ProfileRanges.bucketBounds(rank3, Map.of("v", new long[] {-1, -1, 8}),
        config("build.lengthBuckets", "16")));
  }

  // ---- profiles ----

  @Test
  void withoutBucketsThereIsOneProfileTheRangesThemselves() {
    Map<String, long[][]> ranges = tokens(1, 128);
    List<Map<String, long[][]>> profiles = ProfileRanges.profiles(ranges, Map.of("ids", TOKENS), config());
    assertEquals(1, profiles.size());
    assertSame(ranges, profiles.get(0));
  }

  @Test
  void eachBucketIsAProfileTunedAtItsLengthWhileOtherInputsKeepTheirRanges() {
    Map<String, long[][]> ranges = new LinkedHashMap<>();
    ranges.put("ids", range(new long[] {1, 1}, new long[] {64, 128}, new long[] {64, 128}));
    ranges.put("x", range(new long[] {1, 3}, new long[] {64, 3}, new long[] {64, 3}));
    List<Map<String, long[][]>> profiles = ProfileRanges.profiles(ranges, Map.of("ids", TOKENS, "x", ROWS_OF_3),
        config("build.lengthBuckets", "16,64"));
    assertEquals(3, profiles.size());
    long[] lengths = {16, 64, 128};
    for (int p = 0; p < 3; p++) {
      assertEquals(List.of("ids", "x"), List.copyOf(profiles.get(p).keySet()), "profile " + p + " keeps the model's order");
      assertRanges(new long[][] {{1, 1}, {64, lengths[p]}, {64, lengths[p]}}, profiles.get(p).get("ids"));
      assertRanges(ranges.get("x"), profiles.get(p).get("x"));
    }
    assertRanges(new long[][] {{1, 1}, {64, 128}, {64, 128}}, ranges.get("ids")); // the input ranges are not changed
  }

  @Test
  void aBucketOutsideAnInputsOwnLengthRangeIsClippedToIt() {
    Map<String, long[][]> ranges = new LinkedHashMap<>();
    ranges.put("ids", range(new long[] {1, 1}, new long[] {8, 128}, new long[] {8, 128}));
    ranges.put("mask", range(new long[] {1, 8}, new long[] {8, 32}, new long[] {8, 32}));
    List<Map<String, long[][]>> profiles = ProfileRanges.profiles(ranges, Map.of("ids", TOKENS, "mask", TOKENS),
        config("build.lengthBuckets", "4,16"));
    long[] ids = {4, 16, 128};
    long[] mask = {8, 16, 32};
    for (int p = 0; p < 3; p++) {
      assertRanges(new long[][] {{1, 1}, {8, ids[p]}, {8, ids[p]}}, profiles.get(p).get("ids"));
      assertRanges(new long[][] {{1, 8}, {8, mask[p]}, {8, mask[p]}}, profiles.get(p).get("mask"));
    }
  }

  // ---- helpers ----

  private static ResolvedConfig config(String... keyValues) {
    return BackendConformance.config(keyValues);
  }

  private static long[][] range(long[] min, long[] opt, long[] max) {
    return new long[][] {min, opt, max};
  }

  /** One variable-length input {@code ids} of up to 8 rows, {@code minLen..maxLen} long. */
  private static Map<String, long[][]> tokens(long minLen, long maxLen) {
    return Map.of("ids", range(new long[] {1, minLen}, new long[] {8, maxLen}, new long[] {8, maxLen}));
  }

  private static long[] bounds(String buckets, Map<String, long[][]> ranges) {
    return ProfileRanges.bucketBounds(ranges, Map.of("ids", TOKENS), config("build.lengthBuckets", buckets));
  }

  private static void assertRanges(long[][] expected, long[][] actual) {
    assertEquals(3, actual.length);
    String[] which = {"min", "opt", "max"};
    for (int s = 0; s < 3; s++) {
      assertArrayEquals(expected[s], actual[s], which[s] + " " + TensorInfo.format(actual[s]));
    }
  }
}
