package dev.trtspark.arrow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.trtspark.arrow.binding.BadRows;
import dev.trtspark.arrow.binding.InputRowException;
import dev.trtspark.arrow.memory.TensorAllocators;
import dev.trtspark.arrow.pipeline.BatchResult;
import dev.trtspark.arrow.pipeline.InferenceRunner;
import dev.trtspark.arrow.pipeline.PipelineMetrics;
import dev.trtspark.conf.ConfigResolver;
import dev.trtspark.conf.ResolvedConfig;
import dev.trtspark.conf.TensorBinding;
import dev.trtspark.engine.EngineException;
import dev.trtspark.engine.Engines;
import dev.trtspark.engine.cache.EngineCache;
import dev.trtspark.engine.cache.EngineLease;
import dev.trtspark.engine.cache.SlotLease;
import dev.trtspark.engine.model.ArtifactLoader;
import dev.trtspark.testing.AllocatorLeakCheck;
import dev.trtspark.testing.Digits;
import dev.trtspark.testing.TestModels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.UInt1Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What the pipeline promises, on whichever backend a subclass picks: every dtype and layout round trip,
 * zero copy when possible, each validation failure and the null policy, padding, ordering, and no
 * leaks (each test gets its own task allocator, closed after it; one that still holds memory fails the
 * test).
 */
abstract class PipelineContract {
  protected final TensorAllocators tensors = TensorAllocators.getOrCreate(1L << 30);
  protected BufferAllocator allocator;

  @RegisterExtension
  final AllocatorLeakCheck leakCheck = AllocatorLeakCheck.of(() -> tensors.newTaskAllocator("test"));

  /** Backend-specific options (backend, shape ranges for the variable-length model). */
  protected abstract Map<String, String> backendOptions();

  protected abstract int device();

  /** Shape ranges for the variable-length model (TensorRT needs them, ONNX Runtime does not). */
  protected String[] seqOptions() {
    return new String[0];
  }

  @BeforeEach
  void openAllocator(BufferAllocator taskAllocator) {
    allocator = taskAllocator;
  }

  @AfterEach
  void resetEngines() {
    EngineCache.resetForTests();
  }

  protected ResolvedConfig config(String... kv) {
    Map<String, String> m = new LinkedHashMap<>(backendOptions());
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return ConfigResolver.resolve(m, Map.of());
  }

  /** Runs batches through a fresh runner; returns the results (caller closes) and the metrics. */
  protected record Run(List<BatchResult> results, PipelineMetrics metrics) implements AutoCloseable {
    @Override
    public void close() {
      results.forEach(BatchResult::close);
    }

    BatchResult only() {
      assertEquals(1, results.size());
      return results.get(0);
    }
  }

  protected Run run(Path model, List<TensorBinding> in, List<TensorBinding> out, ResolvedConfig c,
      VectorSchemaRoot... batches) {
    try (EngineLease lease = Engines.lease(ArtifactLoader.load(model.toString()), device(), c); SlotLease slot = lease.leaseSlot();
        InferenceRunner runner = new InferenceRunner(slot, in, out, c, allocator, tensors)) {
      List<BatchResult> results = new ArrayList<>();
      try {
        for (VectorSchemaRoot b : batches) {
          results.addAll(runner.submit(b));
        }
        results.addAll(runner.finish());
      } catch (RuntimeException e) {
        results.forEach(BatchResult::close);
        throw e;
      }
      return new Run(results, runner.metrics());
    }
  }

  private static List<TensorBinding> b(String... tc) {
    List<TensorBinding> l = new ArrayList<>();
    for (int i = 0; i < tc.length; i += 2) {
      l.add(new TensorBinding(tc[i], tc[i + 1]));
    }
    return l;
  }

  static float[][] grid(int rows, int cols, float scale) {
    float[][] x = new float[rows][cols];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        x[i][j] = ((i * cols + j) % 13 - 6) * scale;
      }
    }
    return x;
  }

  static float listFloat(FieldVector v, int row, int j, int perRow) {
    ListVector list = (ListVector) v;
    assertEquals(perRow, list.getElementEndIndex(row) - list.getElementStartIndex(row), "values in row " + row);
    return ((Float4Vector) list.getDataVector()).get(list.getElementStartIndex(row) + j);
  }

  @Test
  void fixedSizeFloatListIsFedWithoutACopy() {
    float[][] x = grid(5, 4, 0.5f);
    try (Run r = run(TestModels.path("affine_f32.onnx"), b("x", "features"), b("y", "scores"), config(),
        ArrowFixtures.root(ArrowFixtures.floats("features", x, 4, allocator)))) {
      FieldVector y = r.only().outputs().getVector("scores");
      for (int i = 0; i < 5; i++) {
        for (int j = 0; j < 4; j++) {
          assertEquals(x[i][j] * 2 + 1, listFloat(y, i, j, 4), 0f, "row " + i);
        }
      }
      assertEquals(1, r.metrics().zeroCopyInputs());
      assertEquals(0, r.metrics().copiedInputs());
    }
  }

  @Test
  void regularFloatListIsAlsoZeroCopy() {
    float[][] x = grid(3, 4, 1f);
    try (Run r = run(TestModels.path("identity_f32.onnx"), b("x", "f"), b("y", "y"), config(),
        ArrowFixtures.root(ArrowFixtures.floats("f", x, 0, allocator)))) {
      assertEquals(x[2][3], listFloat(r.only().outputs().getVector("y"), 2, 3, 4), 0f);
      assertEquals(1, r.metrics().zeroCopyInputs());
    }
  }

  @Test
  void doublesAreConvertedToFloatInOneCopy() {
    double[][] x = {{0.5, -1, 2, 3}, {4, 5, 6, 7.25}};
    FieldVector v = ArrowFixtures.listColumn("d", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE), 0, x,
        (d, ij) -> ((Float8Vector) d).set(ij[0], x[ij[1]][ij[2]]), allocator);
    try (Run r = run(TestModels.path("affine_f32.onnx"), b("x", "d"), b("y", "y"), config(), ArrowFixtures.root(v))) {
      assertEquals(7.25f * 2 + 1, listFloat(r.only().outputs().getVector("y"), 1, 3, 4), 0f);
      assertEquals(0, r.metrics().zeroCopyInputs());
      assertEquals(1, r.metrics().copiedInputs());
    }
  }

  @Test
  void halfTensorsAreFedFromFloatsAndComeBackAsFloats() {
    float[][] x = {{0, 1, -1.5f, 3}, {0.5f, -4, 1024, 6}};
    try (Run r = run(TestModels.path("scale_f16.onnx"), b("x", "x"), b("y", "y"), config(),
        ArrowFixtures.root(ArrowFixtures.floats("x", x, 4, allocator)))) {
      FieldVector y = r.only().outputs().getVector("y");
      assertEquals(new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE), ((ListVector) y).getDataVector().getField().getType());
      for (int i = 0; i < 2; i++) {
        for (int j = 0; j < 4; j++) {
          assertEquals(x[i][j] * 2, listFloat(y, i, j, 4), 0f);
        }
      }
    }
  }

  @Test
  void aFloatTooLargeForAHalfTensorIsABadRowWhenNonFiniteValuesAreRefused() {
    float[][] x = {{0, 1, 2, 3}, {0, 70000f, 0, 0}, {65504f, -65504f, 0, 1}};
    try (Run r = run(TestModels.path("scale_f16.onnx"), b("x", "x"), b("y", "y"),
        config("badRowPolicy", "null", "allowNonFinite", "false"),
        ArrowFixtures.root(ArrowFixtures.floats("x", x, 4, allocator)))) {
      FieldVector y = r.only().outputs().getVector("y");
      assertTrue(y.isNull(1), "70000 is infinite in float16: the row is bad, not silently infinite");
      assertEquals(Map.of(BadRows.Reason.NON_FINITE, 1L), r.metrics().badByReason());
      assertEquals(2f, listFloat(y, 0, 1, 4), 0f);
      assertTrue(Float.isInfinite(listFloat(y, 2, 0, 4)), "65504 is the largest finite float16; the model doubles it to infinity");
    }
    InputRowException e = assertThrows(InputRowException.class, () -> run(TestModels.path("scale_f16.onnx"),
        b("x", "x"), b("y", "y"), config("allowNonFinite", "false"),
        ArrowFixtures.root(ArrowFixtures.floats("x", x, 4, allocator))).close());
    assertTrue(e.getMessage().contains("has 70000.0 at element 1, beyond the largest finite float16 of tensor 'x'"),
        e.getMessage());
    // allowed: the value goes in as float16 infinity, as the user asked
    try (Run r = run(TestModels.path("scale_f16.onnx"), b("x", "x"), b("y", "y"), config(),
        ArrowFixtures.root(ArrowFixtures.floats("x", x, 4, allocator)))) {
      assertTrue(Float.isInfinite(listFloat(r.only().outputs().getVector("y"), 1, 1, 4)));
    }
  }

  @Test
  void intsFeedInt32AndWidenToInt64() {
    int[][] x = {{1, -2, 3, 2_000_000_000}, {5, 6, 7, 8}};
    ArrowType int32 = new ArrowType.Int(32, true);
    FieldVector a = ArrowFixtures.listColumn("i", int32, 4, x, (d, ij) -> ((IntVector) d).set(ij[0], x[ij[1]][ij[2]]), allocator);
    try (Run r = run(TestModels.path("add_i32.onnx"), b("x", "i"), b("y", "y"), config(), ArrowFixtures.root(a))) {
      IntVector y = (IntVector) ((ListVector) r.only().outputs().getVector("y")).getDataVector();
      assertEquals(-2 + 7, y.get(1));
      assertEquals(1, r.metrics().zeroCopyInputs());
    }
    FieldVector c = ArrowFixtures.listColumn("i", int32, 4, x, (d, ij) -> ((IntVector) d).set(ij[0], x[ij[1]][ij[2]]), allocator);
    try (Run r = run(TestModels.path("add_i64.onnx"), b("x", "i"), b("y", "y"), config(), ArrowFixtures.root(c))) {
      BigIntVector y = (BigIntVector) ((ListVector) r.only().outputs().getVector("y")).getDataVector();
      assertEquals(2_000_000_007L, y.get(3));
      assertEquals(1, r.metrics().copiedInputs());
    }
  }

  @Test
  void booleansAndUnsignedBytesRoundTrip() {
    Boolean[][] x = {{true, false, false, true}, {false, false, true, true}};
    FieldVector bits = ArrowFixtures.listColumn("b", ArrowType.Bool.INSTANCE, 0, x,
        (d, ij) -> ((BitVector) d).set(ij[0], x[ij[1]][ij[2]] ? 1 : 0), allocator);
    try (Run r = run(TestModels.path("not_bool.onnx"), b("x", "b"), b("y", "y"), config(), ArrowFixtures.root(bits))) {
      BitVector y = (BitVector) ((ListVector) r.only().outputs().getVector("y")).getDataVector();
      for (int k = 0; k < 8; k++) {
        assertEquals(x[k / 4][k % 4] ? 0 : 1, y.get(k), "element " + k);
      }
    }
    int[][] u = {{0, 1, 128, 255}};
    FieldVector bytes = ArrowFixtures.listColumn("u", new ArrowType.Int(8, false), 4, u,
        (d, ij) -> ((UInt1Vector) d).set(ij[0], u[ij[1]][ij[2]]), allocator);
    try (Run r = run(TestModels.path("u8_to_f32.onnx"), b("x", "u"), b("y", "y"), config(), ArrowFixtures.root(bytes))) {
      assertEquals(255 * (1f / 255f), listFloat(r.only().outputs().getVector("y"), 0, 3, 4), 1e-7f);
      assertEquals(128 * (1f / 255f), listFloat(r.only().outputs().getVector("y"), 0, 2, 4), 1e-7f);
    }
  }

  @Test
  void multiDimensionalInputComesFromAFlatList() {
    float[][] x = new float[2][192];
    for (int i = 0; i < 2; i++) {
      for (int k = 0; k < 192; k++) {
        x[i][k] = (k / 64) + i * 10;
      }
    }
    try (Run r = run(TestModels.path("image_mean.onnx"), b("x", "img"), b("y", "mean"), config(),
        ArrowFixtures.root(ArrowFixtures.floats("img", x, 192, allocator)))) {
      FieldVector y = r.only().outputs().getVector("mean");
      assertEquals(12f, listFloat(y, 1, 2, 3), 1e-6f);
      assertEquals(1f, listFloat(y, 0, 1, 3), 1e-6f);
    }
  }

  @Test
  void perRowScalarOutputIsAPrimitiveColumn() {
    float[][] x = grid(3, 4, 0.25f);
    try (Run r = run(TestModels.path("scalar_out.onnx"), b("x", "x"), b("y", "total"), config(),
        ArrowFixtures.root(ArrowFixtures.floats("x", x, 4, allocator)))) {
      Float4Vector y = (Float4Vector) r.only().outputs().getVector("total");
      for (int i = 0; i < 3; i++) {
        assertEquals(x[i][0] + x[i][1] + x[i][2] + x[i][3], y.get(i), 1e-6f);
      }
    }
  }

  @Test
  void twoInputColumnsFeedTwoOutputColumns() {
    float[][] a = grid(4, 3, 1f);
    float[][] c = grid(4, 3, 0.5f);
    try (Run r = run(TestModels.path("two_in_two_out.onnx"), b("a", "left", "b", "right"),
        b("prod", "p", "sum", "s"), config(), ArrowFixtures.root(ArrowFixtures.floats("left", a, 3, allocator),
            ArrowFixtures.floats("right", c, 3, allocator)))) {
      VectorSchemaRoot o = r.only().outputs();
      assertEquals(List.of("p", "s"), o.getSchema().getFields().stream().map(f -> f.getName()).toList());
      assertEquals(a[3][2] * c[3][2], listFloat(o.getVector("p"), 3, 2, 3), 0f);
      assertEquals(a[3][2] + c[3][2], listFloat(o.getVector("s"), 3, 2, 3), 0f);
    }
  }

  @Test
  void variableLengthRowsArePaddedToTheBatchsLongest() {
    float[][] x = {{1, 2}, {1, 2, 3, 4, 5}, {7, 7, 7}, {-1}};
    try (Run r = run(TestModels.path("seq_sum.onnx"), b("x", "tokens"), b("y", "sum"), config(seqOptions()),
        ArrowFixtures.root(ArrowFixtures.floats("tokens", x, 0, allocator)))) {
      FieldVector y = r.only().outputs().getVector("sum");
      float[] expected = {3, 15, 21, -1};
      for (int i = 0; i < 4; i++) {
        assertEquals(expected[i], listFloat(y, i, 0, 1), 1e-6f, "row " + i);
      }
      assertEquals(1, r.metrics().copiedInputs());
    }
  }

  /** Shape ranges for tiny_bert (TensorRT needs them, ONNX Runtime does not). */
  protected String[] bertOptions() {
    return new String[0];
  }

  private static final int[] BERT_LENGTHS = {3, 9, 1, 12, 5, 12, 7, 2};

  private PipelineMetrics lastBertMetrics;

  /** tiny_bert's outputs for rows of BERT_LENGTHS tokens, fed in batches of {@code batch} rows. */
  private List<float[][]> bert(int batch, List<TensorBinding> outs, String... options) {
    Long[][] ids = new Long[BERT_LENGTHS.length][];
    Long[][] mask = new Long[BERT_LENGTHS.length][];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = new Long[BERT_LENGTHS[i]];
      mask[i] = new Long[BERT_LENGTHS[i]];
      for (int j = 0; j < ids[i].length; j++) {
        ids[i][j] = (long) ((i * 7 + j * 3) % 50);
        mask[i][j] = 1L;
      }
    }
    List<VectorSchemaRoot> batches = new ArrayList<>();
    for (int s = 0; s < ids.length; s += batch) {
      int e = Math.min(ids.length, s + batch);
      batches.add(ArrowFixtures.root(longs("ids", java.util.Arrays.copyOfRange(ids, s, e)),
          longs("mask", java.util.Arrays.copyOfRange(mask, s, e))));
    }
    List<float[][]> perOutput = new ArrayList<>();
    String[] all = concat(bertOptions(), options);
    try (Run r = run(TestModels.path("tiny_bert.onnx"), b("input_ids", "ids", "attention_mask", "mask"), outs,
        config(all), batches.toArray(new VectorSchemaRoot[0]))) {
      lastBertMetrics = r.metrics();
      for (TensorBinding o : outs) {
        float[][] rows = new float[ids.length][];
        int k = 0;
        for (BatchResult br : r.results()) {
          ListVector v = (ListVector) br.outputs().getVector(o.column());
          Float4Vector data = (Float4Vector) v.getDataVector();
          for (int i = 0; i < br.rows(); i++, k++) {
            int from = v.getElementStartIndex(i);
            rows[k] = new float[v.getElementEndIndex(i) - from];
            for (int j = 0; j < rows[k].length; j++) {
              rows[k][j] = data.get(from + j);
            }
          }
        }
        perOutput.add(rows);
      }
    }
    return perOutput;
  }

  private FieldVector longs(String name, Long[][] rows) {
    return ArrowFixtures.listColumn(name, new ArrowType.Int(64, true), 0, rows,
        (v, ij) -> ((BigIntVector) v).set(ij[0], rows[ij[1]][ij[2]]), allocator);
  }

  @Test
  void aTransformerOutputFollowsEachRowsOwnLengthWhateverItsBatch() {
    List<TensorBinding> both = b("last_hidden_state", "hidden", "pooler_output", "pooled");
    List<float[][]> alone = bert(1, both);
    for (int batch : new int[] {3, 8}) {
      List<float[][]> together = bert(batch, both);
      for (int i = 0; i < BERT_LENGTHS.length; i++) {
        assertEquals(BERT_LENGTHS[i] * 16, together.get(0)[i].length, "row " + i + " has its own length x 16 values");
        assertArrayEquals(alone.get(0)[i], together.get(0)[i], 2e-4f, "hidden, row " + i + ", batch " + batch);
        assertArrayEquals(alone.get(1)[i], together.get(1)[i], 2e-4f, "pooled, row " + i + ", batch " + batch);
      }
    }
    // only the pooled output asked for: the dynamic one never blocks the run
    List<float[][]> pooled = bert(8, b("pooler_output", "pooled"));
    for (int i = 0; i < BERT_LENGTHS.length; i++) {
      assertArrayEquals(alone.get(1)[i], pooled.get(0)[i], 2e-4f, "pooled only, row " + i);
    }
  }

  @Test
  void lengthBucketsRunEachGroupPaddedToItsOwnLongestAndKeepInputOrder() {
    List<TensorBinding> both = b("last_hidden_state", "hidden", "pooler_output", "pooled");
    List<float[][]> alone = bert(1, both);
    List<float[][]> padded = bert(8, both, "lengthBucketing", "false", "build.lengthBuckets", "4,8");
    double paddedRatio = lastBertMetrics.paddingRatio();
    // lengths 3 9 1 12 5 12 7 2: buckets <=4 {3,1,2}, <=8 {5,7}, longer {9,12,12}
    List<float[][]> bucketed = bert(8, both, "build.lengthBuckets", "4,8");
    double bucketedRatio = lastBertMetrics.paddingRatio();
    for (int i = 0; i < BERT_LENGTHS.length; i++) {
      assertArrayEquals(alone.get(0)[i], bucketed.get(0)[i], 2e-4f, "hidden, row " + i);
      assertArrayEquals(alone.get(1)[i], bucketed.get(1)[i], 2e-4f, "pooled, row " + i);
      assertArrayEquals(padded.get(1)[i], bucketed.get(1)[i], 2e-4f, "pooled, row " + i + " against one padded batch");
    }
    // 8 rows x 12 against 51 values (per input), and each group to its own longest: 3x3 + 2x7 + 3x12 = 59
    assertEquals(96.0 / 51, paddedRatio, 1e-9);
    assertEquals(59.0 / 51, bucketedRatio, 1e-9);
    assertEquals(1, lastBertMetrics.batches());
  }

  @Test
  void lengthBucketsKeepBadRowsWhereTheyWere() {
    float[][] x = {{1, 2, 3, 4, 5, 6}, null, {1}, new float[40], {2, 2}, {Float.NaN, 1, 1, 1, 1}, {3, 3, 3}};
    try (Run r = run(TestModels.path("seq_sum.onnx"), b("x", "tokens"), b("y", "sum"),
        config("build.minShapes", "x:1x1", "build.optShapes", "x:4x16", "build.maxShapes", "x:64x32",
            "build.lengthBuckets", "2,4", "badRowPolicy", "null", "allowNonFinite", "false"),
        ArrowFixtures.root(ArrowFixtures.floats("tokens", x, 0, allocator)))) {
      FieldVector y = r.only().outputs().getVector("sum");
      assertEquals(7, y.getValueCount());
      float[] expected = {21, 0, 1, 0, 4, 0, 9};
      for (int i = 0; i < x.length; i++) {
        boolean bad = i == 1 || i == 3 || i == 5;
        assertEquals(bad, y.isNull(i), "row " + i + " null");
        if (!bad) {
          assertEquals(expected[i], listFloat(y, i, 0, 1), 1e-6f, "row " + i);
        }
      }
      assertEquals(Map.of(BadRows.Reason.NULL_ROW, 1L, BadRows.Reason.WRONG_LENGTH, 1L, BadRows.Reason.NON_FINITE, 1L),
          r.metrics().badByReason());
    }
  }

  static String[] concat(String[] a, String... b) {
    return java.util.stream.Stream.concat(java.util.Arrays.stream(a), java.util.Arrays.stream(b)).toArray(String[]::new);
  }

  @Test
  void manyBatchesComeBackInOrderWithSeveralInFlight() {
    ResolvedConfig c = config("batchesInFlight", "3");
    VectorSchemaRoot[] batches = new VectorSchemaRoot[20];
    for (int k = 0; k < batches.length; k++) {
      float[][] x = new float[7 + k][4];
      for (float[] row : x) {
        java.util.Arrays.fill(row, k);
      }
      batches[k] = ArrowFixtures.root(ArrowFixtures.floats("f", x, 4, allocator));
    }
    try (Run r = run(TestModels.path("affine_f32.onnx"), b("x", "f"), b("y", "y"), c, batches)) {
      assertEquals(20, r.results().size());
      long offset = 0;
      for (int k = 0; k < 20; k++) {
        BatchResult br = r.results().get(k);
        assertEquals(k, br.batchIndex());
        assertEquals(offset, br.partitionOffset());
        assertEquals(7 + k, br.rows());
        assertEquals(2f * k + 1, listFloat(br.outputs().getVector("y"), 6 + k, 3, 4), 0f);
        offset += br.rows();
      }
      assertEquals(20, r.metrics().batches());
      assertEquals(offset, r.metrics().rows());
    }
  }

  @Test
  void emptyBatchGivesAnEmptyResultInItsPlace() {
    try (Run r = run(TestModels.path("affine_f32.onnx"), b("x", "f"), b("y", "y"), config(),
        ArrowFixtures.root(ArrowFixtures.floats("f", grid(2, 4, 1), 4, allocator)),
        ArrowFixtures.root(ArrowFixtures.floats("f", new float[0][], 4, allocator)),
        ArrowFixtures.root(ArrowFixtures.floats("f", grid(3, 4, 1), 4, allocator)))) {
      assertEquals(List.of(2, 0, 3), r.results().stream().map(BatchResult::rows).toList());
    }
  }

  @Test
  void nullRowFailsNamingColumnRowAndPartitionRow() {
    float[][] ok = grid(4, 4, 1);
    float[][] x = {ok[0], ok[1], null, ok[3]};
    InputRowException e = assertThrows(InputRowException.class, () -> run(TestModels.path("affine_f32.onnx"),
        b("x", "features"), b("y", "y"), config(), ArrowFixtures.root(ArrowFixtures.floats("features", grid(5, 4, 1), 4,
            allocator)), ArrowFixtures.root(ArrowFixtures.floats("features", x, 4, allocator))).close());
    assertEquals("column 'features' row 2 of batch 1 (partition row 7) is null; tensor 'x' needs 4 float32 values; "
        + "set spark.trt.badRowPolicy=null to emit null outputs for such rows", e.getMessage());
  }

  @Test
  void raggedRowFailsWithExpectedAndFoundLengths() {
    float[][] x = {{1, 2, 3, 4}, {1, 2, 3}};
    InputRowException e = assertThrows(InputRowException.class, () -> run(TestModels.path("affine_f32.onnx"),
        b("x", "features"), b("y", "y"), config(), ArrowFixtures.root(ArrowFixtures.floats("features", x, 0, allocator))).close());
    assertEquals("column 'features' row 1 of batch 0 (partition row 1) has 3 values; tensor 'x' [-1x4] needs 4 float32 "
        + "values; set spark.trt.badRowPolicy=null to emit null outputs for such rows", e.getMessage());
  }

  @Test
  void nullElementFailsWithItsPosition() {
    FieldVector v = ArrowFixtures.floats("f", grid(2, 4, 1), 0, allocator);
    ((Float4Vector) ((ListVector) v).getDataVector()).setNull(6);
    InputRowException e = assertThrows(InputRowException.class, () -> run(TestModels.path("affine_f32.onnx"),
        b("x", "f"), b("y", "y"), config(), ArrowFixtures.root(v)).close());
    assertTrue(e.getMessage().startsWith("column 'f' row 1 of batch 0 (partition row 1) has a null at element 2"), e.getMessage());
  }

  @Test
  void nanIsRejectedOnlyWhenAsked() {
    float[][] x = {{1, Float.NaN, 3, 4}};
    try (Run r = run(TestModels.path("identity_f32.onnx"), b("x", "f"), b("y", "y"), config(),
        ArrowFixtures.root(ArrowFixtures.floats("f", x, 4, allocator)))) {
      assertTrue(Float.isNaN(listFloat(r.only().outputs().getVector("y"), 0, 1, 4)));
    }
    InputRowException e = assertThrows(InputRowException.class, () -> run(TestModels.path("identity_f32.onnx"),
        b("x", "f"), b("y", "y"), config("allowNonFinite", "false"),
        ArrowFixtures.root(ArrowFixtures.floats("f", x, 4, allocator))).close());
    assertTrue(e.getMessage().startsWith("column 'f' row 0 of batch 0 (partition row 0) has NaN at element 1 and "
        + "spark.trt.allowNonFinite=false"), e.getMessage());
  }

  @Test
  void nullPolicyEmitsNullOutputsAndCountsEachReason() {
    float[][] x = {{1, 2, 3, 4}, null, {1, 2, 3}, {Float.POSITIVE_INFINITY, 0, 0, 0}, {5, 6, 7, 8}};
    try (Run r = run(TestModels.path("affine_f32.onnx"), b("x", "f"), b("y", "y"),
        config("badRowPolicy", "null", "allowNonFinite", "false"),
        ArrowFixtures.root(ArrowFixtures.floats("f", x, 0, allocator)))) {
      BatchResult br = r.only();
      FieldVector y = br.outputs().getVector("y");
      assertEquals(5, br.rows());
      for (int i : new int[] {1, 2, 3}) {
        assertTrue(y.isNull(i), "row " + i + " is null");
      }
      assertEquals(3f, listFloat(y, 0, 0, 4), 0f);
      assertEquals(17f, listFloat(y, 4, 3, 4), 0f);
      assertEquals(3, r.metrics().badRows());
      assertEquals(Map.of(BadRows.Reason.NULL_ROW, 1L, BadRows.Reason.WRONG_LENGTH, 1L, BadRows.Reason.NON_FINITE, 1L),
          r.metrics().badByReason());
    }
  }

  @Test
  void wrongColumnTypeFailsAtBindTimeWithWhatTheTensorTakes() {
    VarCharVector s = new VarCharVector("features", allocator);
    s.allocateNew(1);
    s.set(0, "abc".getBytes());
    s.setValueCount(1);
    EngineException e = assertThrows(EngineException.class, () -> run(TestModels.path("affine_f32.onnx"),
        b("x", "features"), b("y", "y"), config(), ArrowFixtures.root(s)).close());
    assertEquals("column 'features' (Utf8) cannot feed tensor 'x' (float32 [-1x4]): its elements must be one of float, "
        + "double, half, tinyint, uint8, smallint, int", e.getMessage());
  }

  @Test
  void fixedSizeListOfTheWrongSizeFailsAtBindTime() {
    EngineException e = assertThrows(EngineException.class, () -> run(TestModels.path("affine_f32.onnx"),
        b("x", "f"), b("y", "y"), config(), ArrowFixtures.root(ArrowFixtures.floats("f", grid(2, 3, 1), 3, allocator))).close());
    assertEquals("column 'f' (FixedSizeList(3)<FloatingPoint(SINGLE)>) cannot feed tensor 'x' (float32 [-1x4]): its rows "
        + "have 3 values, the tensor takes 4", e.getMessage());
  }

  @Test
  void missingColumnIsNamedWithTheColumnsThereAre() {
    EngineException e = assertThrows(EngineException.class, () -> run(TestModels.path("affine_f32.onnx"),
        b("x", "pixels"), b("y", "y"), config(), ArrowFixtures.root(ArrowFixtures.floats("f", grid(2, 4, 1), 4, allocator))).close());
    assertEquals("input column 'pixels' (for tensor 'x') is not in the batch; its columns are [f]", e.getMessage());
  }

  @Test
  void steadyStateBatchesAllocateNoNewHostMemory() {
    try (EngineLease lease = Engines.lease(ArtifactLoader.load(TestModels.path("affine_f32.onnx").toString()), device(), config());
        SlotLease slot = lease.leaseSlot();
        InferenceRunner runner = new InferenceRunner(slot, b("x", "f"), b("y", "y"), config(), allocator, tensors)) {
      long before = 0;
      for (int k = 0; k < 12; k++) {
        if (k == 4) {
          before = tensors.pool().systemAllocations();
        }
        runner.submit(ArrowFixtures.root(ArrowFixtures.floats("f", grid(64, 4, k), 4, allocator))).forEach(BatchResult::close);
      }
      runner.finish().forEach(BatchResult::close);
      assertEquals(before, tensors.pool().systemAllocations(), "no new system allocations after warm-up");
      assertTrue(tensors.pool().reuses() > 0);
    }
  }

  @Test
  void digitsThroughThePipelineReachTheRecordedAccuracy() {
    Digits digits = Digits.load();
    float[][] x = digits.features();
    int[] label = digits.labels();
    int n = digits.rows();
    List<VectorSchemaRoot> batches = new ArrayList<>();
    for (int s = 0; s < n; s += 256) {
      batches.add(ArrowFixtures.root(ArrowFixtures.floats("features", java.util.Arrays.copyOfRange(x, s, Math.min(n, s + 256)),
          64, allocator)));
    }
    try (Run r = run(Digits.onnx(), b("features", "features"), b("probs", "probs"), config("batchesInFlight", "3"),
        batches.toArray(new VectorSchemaRoot[0]))) {
      int correct = 0;
      int row = 0;
      for (BatchResult br : r.results()) {
        FieldVector p = br.outputs().getVector("probs");
        for (int i = 0; i < br.rows(); i++, row++) {
          int best = 0;
          for (int k = 1; k < 10; k++) {
            best = listFloat(p, i, k, 10) > listFloat(p, i, best, 10) ? k : best;
          }
          correct += best == label[row] ? 1 : 0;
        }
      }
      assertEquals(1797, row);
      assertEquals(1781, correct);
    }
  }
}
