package dev.trtspark.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.trtspark.engine.cache.CacheStats;
import dev.trtspark.engine.cache.EngineCache;
import dev.trtspark.testing.Digits;
import dev.trtspark.testing.TestModels;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.SparkException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FilterFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The DataFrame API on a real local Spark session, ONNX Runtime backend (CI). */
class TrtInferenceTest {
  private final SparkSession spark = SparkTestSession.get();

  @BeforeEach
  void freshCache() {
    EngineCache.resetForTests();
  }

  private Dataset<Row> rows(long n, int partitions) {
    return spark.sql("SELECT id, array(CAST(id AS FLOAT), CAST(id + 1 AS FLOAT), CAST(-id AS FLOAT), 0.5F) AS features "
        + "FROM range(0, " + n + ", 1, " + partitions + ")");
  }

  private TrtInference affine() {
    return TrtInference.builder().model(TestModels.path("affine_f32.onnx").toString()).input("x", "features")
        .output("y", "scores").batchSize(16).build();
  }

  private static void assertAffine(List<Row> out, long n) {
    assertEquals(n, out.size());
    for (int i = 0; i < n; i++) {
      Row r = out.get(i);
      assertEquals((long) i, r.getLong(0), "row order");
      List<Float> y = r.getList(1);
      assertEquals(List.of(2f * i + 1, 2f * (i + 1) + 1, -2f * i + 1, 2f), y, "row " + i);
    }
  }

  @Test
  void digitsAccuracyEqualsTheOneRecordedAtTraining() {
    Dataset<Row> digits = spark.read().parquet(Digits.parquet().toString());
    TrtInference inference = TrtInference.builder().model(Digits.onnx().toString())
        .input("features", "features").output("probs", "probs").build();
    Dataset<Row> scored = inference.transform(digits).cache();
    assertEquals(1797, scored.count());
    long correct = scored.filter("array_position(probs, array_max(probs)) - 1 = label").count();
    assertEquals(1781, correct, "model_card.json: all_correct");
    long testCorrect = scored.filter("split = 'test' AND array_position(probs, array_max(probs)) - 1 = label").count();
    assertEquals(434, testCorrect, "model_card.json: test_correct");
    List<Long> ids = scored.select("id").collectAsList().stream().map(r -> r.getLong(0)).collect(Collectors.toList());
    for (int i = 0; i < ids.size(); i++) {
      assertEquals((long) i, ids.get(i));
    }
    scored.unpersist();
  }

  @Test
  void outputSchemaIsKnownBeforeAnythingRuns() {
    StructType schema = affine().transformSchema(rows(1, 1).schema());
    assertEquals("struct<id:bigint,scores:array<float>>", schema.simpleString(), "bound columns are dropped by default");
    StructType kept = TrtInference.builder().model(TestModels.path("affine_f32.onnx").toString()).input("x", "features")
        .output("y", "scores").keepBoundColumns(true).build().transformSchema(rows(1, 1).schema());
    assertEquals("struct<id:bigint,features:array<float>,scores:array<float>>", kept.simpleString());
    TrtInference scalar = TrtInference.builder().model(TestModels.path("scalar_out.onnx").toString()).input("x", "features")
        .output("y", "total").build();
    assertEquals(DataTypes.FloatType, scalar.transformSchema(rows(1, 1).schema()).apply("total").dataType());
  }

  @Test
  void orderAndCountSurviveManyPartitionsEmptyOnesAndOneRowOnes() {
    TrtInference inference = affine();
    assertAffine(inference.transform(rows(1000, 37)).collectAsList(), 1000);
    assertAffine(inference.transform(rows(10, 16)).collectAsList(), 10);
    assertAffine(inference.transform(rows(8, 8)).collectAsList(), 8);
    assertEquals(0, inference.transform(rows(0, 3)).count());
  }

  @Test
  void everyInputColumnPassesThroughUnchanged() {
    Dataset<Row> df = spark.sql("SELECT id, CAST(id AS INT) AS i, id * 1.5D AS d, CONCAT('s', id) AS s, id % 2 = 0 AS b, "
        + "date_add(DATE '2024-01-01', CAST(id AS INT)) AS dt, TIMESTAMP '2024-01-01 00:00:00' + make_interval(0, 0, 0, 0, 0, 0, id) AS ts, "
        + "CAST(id AS DECIMAL(10, 2)) AS dec, array(CONCAT('a', id), NULL) AS arr, map('k', CAST(id AS INT)) AS m, "
        + "named_struct('a', CAST(id AS INT), 'b', 'x') AS st, CAST(CONCAT('b', id) AS BINARY) AS bin, "
        + "IF(id % 3 = 0, NULL, CONCAT('n', id)) AS maybe, CAST(id AS SMALLINT) AS sh, CAST(id AS TINYINT) AS ti, "
        + "CAST(id AS FLOAT) AS f, array(CAST(id AS FLOAT), 1F, 2F, 3F) AS features FROM range(0, 120, 1, 7)");
    Dataset<Row> out = TrtInference.builder().model(TestModels.path("affine_f32.onnx").toString()).input("x", "features")
        .output("y", "scores").batchSize(16).keepBoundColumns(true).build().transform(df);
    List<Row> before = df.collectAsList();
    List<Row> after = out.drop("scores").collectAsList();
    assertEquals(before.size(), after.size());
    for (int i = 0; i < before.size(); i++) {
      assertEquals(before.get(i), after.get(i), "row " + i);
    }
  }

  @Test
  void twoInputsAndTwoOutputs() {
    Dataset<Row> df = spark.sql("SELECT id, array(CAST(id AS FLOAT), 1F, 2F) AS l, array(2F, CAST(id AS FLOAT), 0.5F) AS r "
        + "FROM range(0, 50, 1, 3)");
    TrtInference inference = TrtInference.builder().model(TestModels.path("two_in_two_out.onnx").toString())
        .input("a", "l").input("b", "r").output("sum", "s").output("prod", "p").build();
    List<Row> out = inference.transform(df).collectAsList();
    Row r = out.get(7);
    assertEquals(List.of(9f, 8f, 2.5f), r.getList(1));
    assertEquals(List.of(14f, 7f, 1f), r.getList(2));
  }

  @Test
  void variableLengthSecondDimension() {
    Dataset<Row> df = spark.sql("SELECT id, transform(sequence(1, CAST(id % 5 + 1 AS INT)), x -> CAST(x AS FLOAT)) AS tokens "
        + "FROM range(0, 40, 1, 4)");
    TrtInference inference = TrtInference.builder().model(TestModels.path("seq_sum.onnx").toString()).input("x", "tokens")
        .output("y", "total").batchSize(8).build();
    for (Row r : inference.transform(df).collectAsList()) {
      long k = r.getLong(0) % 5 + 1;
      assertEquals(List.of((float) (k * (k + 1) / 2)), r.getList(1), "row " + r.getLong(0));
    }
  }

  @Test
  void badRowFailsTheTaskWithColumnAndRowByDefault() {
    Dataset<Row> df = spark.sql("SELECT id, IF(id = 13, NULL, array(1F, 2F, 3F, 4F)) AS features FROM range(0, 20, 1, 1)");
    SparkException e = assertThrows(SparkException.class, () -> affine().transform(df).collectAsList());
    assertTrue(e.getMessage().contains("column 'features' row 13 of batch 0 (partition row 13) is null; tensor 'x' needs 4 "
        + "float32 values"), e.getMessage());
  }

  @Test
  void nullPolicyGivesNullOutputsAndCountsThem() {
    Dataset<Row> df = spark.sql("SELECT id, CASE WHEN id = 3 THEN NULL WHEN id = 5 THEN array(1F) "
        + "ELSE array(1F, 2F, 3F, 4F) END AS features FROM range(0, 10, 1, 2)");
    TrtInference inference = TrtInference.builder().model(TestModels.path("affine_f32.onnx").toString()).input("x", "features")
        .output("y", "scores").option("badRowPolicy", "null").build();
    List<Row> out = inference.transform(df).collectAsList();
    for (Row r : out) {
      long id = r.getLong(0);
      if (id == 3 || id == 5) {
        assertTrue(r.isNullAt(1), "row " + id);
      } else {
        assertEquals(List.of(3f, 5f, 7f, 9f), r.getList(1));
      }
    }
    assertEquals(2, inference.metrics().badRows());
    assertEquals(10, inference.metrics().rows());
  }

  @Test
  void columnOfTheWrongTypeFailsBeforeTheJobNamingTheColumn() {
    Dataset<Row> df = spark.sql("SELECT id, array('a', 'b', 'c', 'd') AS features FROM range(0, 3)");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> affine().transform(df));
    assertTrue(e.getMessage().startsWith("column 'features' (array<string>) cannot feed tensor 'x' (float32 [-1x4]): its "
        + "values must be numbers or booleans (Spark string)"), e.getMessage());
    Dataset<Row> longs = spark.sql("SELECT id, array(id, id, id, id) AS features FROM range(0, 3)");
    IllegalArgumentException narrowing = assertThrows(IllegalArgumentException.class, () -> affine().transform(longs));
    assertTrue(narrowing.getMessage().startsWith("column 'features' (List<Int(64, true)>) cannot feed tensor 'x' (float32 "
        + "[-1x4]): its elements must be one of float, double, half, tinyint, uint8, smallint, int (Spark type "
        + "array<bigint>)"), narrowing.getMessage());
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
        () -> affine().transform(df.drop("features")));
    assertEquals("input column 'features' (for tensor 'x') does not exist; the columns are [id]", missing.getMessage());
  }

  @Test
  void doubleArraysAreAcceptedAndConverted() {
    Dataset<Row> df = spark.sql("SELECT id, array(1D, 2D, 3D, CAST(id AS DOUBLE)) AS features FROM range(0, 5, 1, 2)");
    List<Row> out = affine().transform(df).collectAsList();
    assertEquals(List.of(3f, 5f, 7f, 9f), out.get(4).getList(1));
  }

  @Test
  void executorsReadAModelFromItsUriWithTheJobsHadoopConfiguration() {
    org.apache.hadoop.conf.Configuration job = spark.sparkContext().hadoopConfiguration();
    job.set("fs.trtjob.impl", JobOnlyFileSystem.class.getName());
    job.setBoolean("fs.trtjob.impl.disable.cache", true);
    try {
      assertEquals(null, new org.apache.hadoop.conf.Configuration().get("fs.trtjob.impl"),
          "only the job's configuration knows the scheme");
      TrtInference inference = TrtInference.builder().model("trtjob://" + TestModels.path("affine_f32.onnx").toString())
          .input("x", "features").output("y", "scores").option("broadcast.maxBytes", "0").build();
      assertTrue(inference.describe().contains("model shipped by URI"), inference.describe());
      assertAffine(inference.transform(rows(50, 4)).collectAsList(), 50);
    } finally {
      job.unset("fs.trtjob.impl");
      job.unset("fs.trtjob.impl.disable.cache");
    }
  }

  @Test
  void engineIsLoadedOncePerJvmAcrossThreeJobsAndSixteenTasks() {
    TrtInference inference = affine();
    for (int job = 0; job < 3; job++) {
      // collected, not counted: count() needs no output, so Spark would not run the model at all
      assertEquals(160, inference.transform(rows(160, 16)).collectAsList().size());
    }
    CacheStats s = EngineCache.existing().orElseThrow().stats();
    assertEquals(1, s.loads(), s.toString());
    assertEquals(1, inference.metrics().engineLoads());
    assertEquals(47, inference.metrics().engineHits());
    assertEquals(0, s.slotsInUse(), "every task gave its slot back");
    assertTrue(inference.metrics().summary().startsWith("rows=480 batches=48 badRows=0 engineLoads=1 engineCacheHits=47"),
        inference.metrics().summary());
  }

  @Test
  void eachTaskRecordsWhereItRanAndOnTheCpuNoGpuIsReported() {
    TrtInference inference = affine();
    assertEquals(64, inference.transform(rows(64, 4)).collectAsList().size());
    List<InferenceMetrics.Placed> placed = inference.metrics().placements();
    assertEquals(1, placed.size(), placed.toString());
    InferenceMetrics.Placed p = placed.get(0);
    assertEquals("driver", p.executor(), "local mode runs tasks in the driver's executor");
    assertEquals(-1, p.cudaDevice(), "ONNX Runtime has no CUDA device");
    assertEquals(4, p.tasks());
    assertTrue(p.loads() <= 1, "at most one load in this JVM: " + p);
    assertEquals(0, p.offTheirGpu());
    assertEquals("", inference.metrics().placementSummary());
  }

  @Test
  void theInputTimeIncludesTheFirstRowsOfEachTask() {
    // each of 2 partitions takes 400 ms to produce its first row, inside the first hasNext() of a code-generated
    // stage (where a Parquet scan reads its first row group): that time is input too
    Dataset<Row> in = rows(64, 2);
    Dataset<Row> slow = in.mapPartitions(new SlowFirstRow(), org.apache.spark.sql.Encoders.row(in.schema()));
    TrtInference inference = affine();
    assertEquals(64, inference.transform(slow).collectAsList().size());
    assertTrue(inference.metrics().inputMs() >= 800, "two first rows of 400 ms: " + inference.metrics().summary());
  }

  /** Passes a partition's rows on, the first after 400 ms (static: nothing of the test goes to the tasks). */
  private static final class SlowFirstRow implements org.apache.spark.api.java.function.MapPartitionsFunction<Row, Row> {
    @Override
    public java.util.Iterator<Row> call(java.util.Iterator<Row> rows) {
      return new java.util.Iterator<Row>() {
        private boolean first = true;

        @Override
        public boolean hasNext() {
          if (first) {
            first = false;
            try {
              Thread.sleep(400);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          return rows.hasNext();
        }

        @Override
        public Row next() {
          return rows.next();
        }
      };
    }
  }

  @Test
  void aTaskOnAGpuItWasNotGivenIsCountedOffItsGpu() {
    assertTrue(new InferenceMetrics.Placement("1", List.of("0"), 1, true).offItsGpu());
    assertFalse(new InferenceMetrics.Placement("1", List.of("0", "1"), 1, true).offItsGpu());
    assertFalse(new InferenceMetrics.Placement("1", List.of(), 1, true).offItsGpu(), "no GPU scheduling: nothing given");
  }

  @Test
  void aTaskThatFailsMidPartitionReleasesItsSlotAndTheRetryGivesTheCleanResult() {
    TrtInference inference = affine();
    List<Row> clean = inference.transform(rows(400, 4)).collectAsList();
    Dataset<Row> flaky = inference.transform(rows(400, 4)).filter((FilterFunction<Row>) r -> {
      if (TaskContext.get().attemptNumber() == 0 && TaskContext.getPartitionId() == 2 && r.getLong(0) == 250) {
        throw new IllegalStateException("injected failure in the middle of partition 2");
      }
      return true;
    });
    assertEquals(clean, flaky.collectAsList());
    assertEquals(0, EngineCache.existing().map(c -> c.stats().slotsInUse()).orElse(0));
  }

  @Test
  void aModelAboveTheBroadcastLimitIsReadFromItsUriOnTheExecutors() {
    TrtInference byUri = TrtInference.builder().model(TestModels.path("affine_f32.onnx").toString()).input("x", "features")
        .output("y", "scores").option("broadcast.maxBytes", "16").build();
    assertTrue(byUri.describe().contains("model shipped by URI"), byUri.describe());
    assertAffine(byUri.transform(rows(100, 4)).collectAsList(), 100);
    assertTrue(affine().describe().contains("model shipped by broadcast"));
  }

  @Test
  void describeSaysWhatWillRun() {
    String d = TrtInference.builder().model(Digits.onnx().toString()).input("features", "features")
        .option("batchSize", "512").build().describe();
    assertTrue(d.contains("input features float32 [-1, 64]"), d);
    assertTrue(d.contains("output probs float32 [-1, 10]"), d);
    assertTrue(d.contains("backend on this host: onnxruntime"), d);
    assertTrue(d.contains("spark.trt.batchSize=512"), d);
    assertTrue(d.contains("outputs: [probs=probs]"), d);
  }

  @Test
  void aPlanWithoutSidecarOnADriverWithoutGpuIsAskedOfAnExecutor() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeFalse(dev.trtspark.engine.Engines.gpuProbe().usable(), "this host has a GPU");
    java.nio.file.Path plan = java.nio.file.Files.createTempDirectory("trtexec").resolve("model.engine");
    java.nio.file.Files.write(plan, new byte[] {'f', 't', 'r', 't', 1, 2, 3, 4});  // as trtexec --saveEngine leaves it
    dev.trtspark.engine.EngineException e = assertThrows(dev.trtspark.engine.EngineException.class,
        () -> TrtInference.builder().model(plan.toString()).input("x", "features").build());
    assertTrue(e.getMessage().startsWith("plan " + plan + " has no sidecar (" + plan + ".json), this driver has no GPU ("),
        e.getMessage());
    assertTrue(e.getMessage().contains("and reading its inputs and outputs on an executor failed: this host cannot open "
        + "TensorRT plans either"), "a Spark job asked an executor: " + e.getMessage());
  }
}
