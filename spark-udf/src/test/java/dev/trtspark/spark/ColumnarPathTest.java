package dev.trtspark.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.trtspark.engine.cache.EngineCache;
import dev.trtspark.spark.exec.TaskResources;
import dev.trtspark.testing.TestModels;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The columnar executor path (a vectorized Parquet scan read batch by batch) against the row path on
 * the same data: same rows, same order, same bad-row handling, for every plan shape around the scan.
 */
class ColumnarPathTest {
  private final SparkSession spark = SparkTestSession.get();

  @TempDir
  Path tmp;

  @BeforeEach
  void freshCache() {
    EngineCache.resetForTests();
  }

  @AfterEach
  void everythingReleased() {
    assertEquals(0, EngineCache.existing().map(c -> c.stats().slotsInUse()).orElse(0), "every task gave its slot back");
    assertEquals(0, TaskResources.open(), "no task resources left registered");
  }

  /** 600 rows in 5 files: 4 floats per row, some values repeated (dictionary pages), ids in order. */
  private String table(String sql) {
    String path = tmp.resolve("t" + Math.abs(sql.hashCode())).toString();
    spark.sql(sql).repartition(5).sortWithinPartitions("id").write().parquet(path);
    return path;
  }

  private String features() {
    return table("SELECT id, CONCAT('r', id) AS name, array(CAST(id AS FLOAT), CAST(id % 3 AS FLOAT), -1F, "
        + "CAST(id DIV 7 AS FLOAT)) AS features, CAST(id % 10 AS INT) AS label FROM range(0, 600, 1, 3)");
  }

  private TrtInference affine(int batch, String... options) {
    TrtInference.Builder b = TrtInference.builder().model(TestModels.path("affine_f32.onnx").toString())
        .input("x", "features").output("y", "scores").batchSize(batch);
    for (int i = 0; i < options.length; i += 2) {
      b.option(options[i], options[i + 1]);
    }
    return b.build();
  }

  /** The same inference through the row path: the vectorized reader off makes the scan row-based. */
  private List<Row> onRows(TrtInference inference, String path, java.util.function.UnaryOperator<Dataset<Row>> shape) {
    return withConf(Map.of("spark.sql.parquet.enableVectorizedReader", "false"), () -> {
      Dataset<Row> df = shape.apply(spark.read().parquet(path));
      assertFalse(TrtInference.readsColumnar(df), "row path expected");
      return sorted(inference.transform(df));
    });
  }

  private static List<Row> sorted(Dataset<Row> df) {
    return df.orderBy("id").collectAsList();
  }

  private <T> T withConf(Map<String, String> conf, java.util.function.Supplier<T> body) {
    Map<String, String> before = new java.util.HashMap<>();
    conf.forEach((k, v) -> {
      before.put(k, spark.conf().contains(k) ? spark.conf().get(k) : null);
      spark.conf().set(k, v);
    });
    try {
      return body.get();
    } finally {
      before.forEach((k, v) -> {
        if (v == null) {
          spark.conf().unset(k);
        } else {
          spark.conf().set(k, v);
        }
      });
    }
  }

  private static void assertAffine(List<Row> rows, int scoresAt) {
    for (Row r : rows) {
      long id = r.getLong(0);
      assertEquals(List.of(2f * id + 1, 2f * (id % 3) + 1, -1f, 2f * (float) (id / 7) + 1), r.getList(scoresAt), "id " + id);
    }
  }

  @Test
  void aParquetScanIsReadColumnarAndGivesTheRowPathsResult() {
    String path = features();
    Dataset<Row> df = spark.read().parquet(path);
    assertTrue(TrtInference.readsColumnar(df), df.queryExecution().executedPlan().toString());
    TrtInference inference = affine(64);
    List<Row> columnar = sorted(inference.transform(df));
    assertEquals(600, columnar.size());
    assertEquals("struct<id:bigint,name:string,label:int,scores:array<float>>",
        inference.transform(df).schema().simpleString());
    assertAffine(columnar, 3);
    assertEquals(onRows(affine(64), path, d -> d), columnar);
  }

  @Test
  void rowOrderWithinEachPartitionIsKept() {
    String path = features();
    List<Long> ids = affine(7).transform(spark.read().parquet(path)).select("id").collectAsList().stream()
        .map(r -> r.getLong(0)).toList();
    List<Long> scanned = spark.read().parquet(path).select("id").collectAsList().stream().map(r -> r.getLong(0)).toList();
    assertEquals(scanned, ids, "the scan's order, row for row");
  }

  @Test
  void aSelectionOfColumnsStaysColumnarAndKeepsTheirOrder() {
    String path = features();
    Dataset<Row> df = spark.read().parquet(path).select("label", "features", "id");
    assertTrue(TrtInference.readsColumnar(df), df.queryExecution().executedPlan().toString());
    List<Row> out = affine(32).transform(df).orderBy("id").collectAsList();
    assertEquals("struct<label:int,id:bigint,scores:array<float>>", affine(32).transform(df).schema().simpleString());
    for (Row r : out) {
      assertEquals((int) (r.getLong(1) % 10), r.getInt(0));
    }
    assertEquals(onRows(affine(32), path, d -> d.select("label", "features", "id")).stream().map(Row::toString).toList(),
        out.stream().map(Row::toString).toList());
  }

  @Test
  void keptBoundColumnsComeBackUnchanged() {
    String path = features();
    Dataset<Row> df = spark.read().parquet(path);
    List<Row> out = sorted(affine(50, "keepBoundColumns", "true").transform(df));
    List<Row> in = sorted(df);
    for (int i = 0; i < in.size(); i++) {
      assertEquals(in.get(i).getList(2), out.get(i).getList(2), "features of row " + i);
    }
    assertAffine(out, 4);
  }

  @Test
  void scanBatchesSmallerAndLargerThanTheInferenceBatchGiveTheSameResult() {
    String path = features();
    List<Row> expected = onRows(affine(16), path, d -> d);
    for (String scanBatch : new String[] {"7", "16", "1000"}) {
      List<Row> got = withConf(Map.of("spark.sql.parquet.columnarReaderBatchSize", scanBatch), () -> {
        Dataset<Row> df = spark.read().parquet(path);
        assertTrue(TrtInference.readsColumnar(df));
        return sorted(affine(16).transform(df));
      });
      assertEquals(expected, got, "scan batch " + scanBatch);
    }
  }

  @Test
  void filtersComputedColumnsExchangesAndCachesRunOnRowsWithTheSameResult() {
    String path = features();
    Dataset<Row> base = spark.read().parquet(path);
    Dataset<Row> filtered = base.filter("id % 4 <> 1");
    assertFalse(TrtInference.readsColumnar(filtered));
    assertEquals(450, filtered.count());
    assertAffine(sorted(affine(32).transform(filtered)), 3);
    Dataset<Row> computed = base.selectExpr("id", "transform(features, v -> v) AS features");
    assertFalse(TrtInference.readsColumnar(computed));
    assertAffine(sorted(affine(32).transform(computed)), 1);
    Dataset<Row> shuffled = base.repartition(3, base.col("label"));
    assertFalse(TrtInference.readsColumnar(shuffled));
    assertAffine(sorted(affine(32).transform(shuffled)), 3);
    Dataset<Row> cached = base.cache();
    try {
      assertEquals(600, cached.count());
      assertAffine(sorted(affine(32).transform(cached)), 3);
    } finally {
      cached.unpersist(true);
    }
  }

  @Test
  void adaptiveExecutionOffAndWholeStageCodegenOffGiveTheSameResult() {
    String path = features();
    List<Row> expected = sorted(affine(16).transform(spark.read().parquet(path)));
    List<Row> noAqe = withConf(Map.of("spark.sql.adaptive.enabled", "false"),
        () -> sorted(affine(16).transform(spark.read().parquet(path).repartition(4))));
    assertEquals(expected, noAqe);
    List<Row> noCodegen = withConf(Map.of("spark.sql.codegen.wholeStage", "false"),
        () -> sorted(affine(16).transform(spark.read().parquet(path))));
    assertEquals(expected, noCodegen);
  }

  @Test
  void emptyFilesAndEmptyPartitionsGiveNoRows() {
    String path = table("SELECT id, array(1F, 2F, 3F, 4F) AS features FROM range(0, 0, 1, 2)");
    assertEquals(0, affine(16).transform(spark.read().parquet(path)).count());
    String few = table("SELECT id, array(1F, 2F, 3F, 4F) AS features FROM range(0, 2, 1, 1)");
    assertEquals(2, affine(16).transform(spark.read().parquet(few)).count());
  }

  @Test
  void badRowsInAScanBatchAreReportedAsOnTheRowPath() {
    String path = table("SELECT id, CASE WHEN id = 13 THEN NULL WHEN id = 200 THEN array(1F, 2F) "
        + "WHEN id = 301 THEN array(1F, NULL, 3F, 4F) ELSE array(CAST(id AS FLOAT), 0F, -1F, 1F) END AS features "
        + "FROM range(0, 400, 1, 2)");
    TrtInference lenient = affine(32, "badRowPolicy", "null");
    assertEquals(400, lenient.transform(spark.read().parquet(path)).collectAsList().size());
    assertEquals(3, lenient.metrics().badRows(), "one job, each row once");
    List<Row> columnar = sorted(lenient.transform(spark.read().parquet(path)));
    for (Row r : columnar) {
      long id = r.getLong(0);
      assertEquals(id == 13 || id == 200 || id == 301, r.isNullAt(1), "id " + id);
    }
    assertEquals(onRows(affine(32, "badRowPolicy", "null"), path, d -> d), columnar);
    SparkException e = assertThrows(SparkException.class,
        () -> affine(32).transform(spark.read().parquet(path).filter("id >= 100 AND id <> 301")).collect());
    assertTrue(e.getMessage().contains("column 'features' row"), e.getMessage());
    assertTrue(e.getMessage().contains("has 2 values; tensor 'x' [-1x4] needs 4 float32 values"), e.getMessage());
    SparkException onScan = assertThrows(SparkException.class,
        () -> affine(32).transform(spark.read().parquet(path)).collect());
    assertTrue(onScan.getMessage().contains("column 'features' row") && onScan.getMessage().contains(" is null"),
        onScan.getMessage());
  }

  @Test
  void otherElementAndScalarTypesAreConvertedByTheOneTable() {
    String path = table("SELECT id, array(CAST(id AS DOUBLE), 1D, 2D, 3D) AS d, array(CAST(id AS INT), 1, 2, 3) AS i, "
        + "CAST(id AS FLOAT) AS s FROM range(0, 100, 1, 2)");
    Dataset<Row> df = spark.read().parquet(path);
    assertTrue(TrtInference.readsColumnar(df));
    TrtInference doubles = TrtInference.builder().model(TestModels.path("affine_f32.onnx").toString()).input("x", "d")
        .output("y", "y").batchSize(8).build();
    TrtInference ints = TrtInference.builder().model(TestModels.path("affine_f32.onnx").toString()).input("x", "i")
        .output("y", "y").batchSize(8).build();
    for (TrtInference inference : List.of(doubles, ints)) {
      for (Row r : sorted(inference.transform(df))) {
        long id = r.getLong(0);
        assertEquals(List.of(2f * id + 1, 3f, 5f, 7f), r.getList(r.fieldIndex("y")), "id " + id);
      }
    }
  }
}
