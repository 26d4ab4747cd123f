package dev.trtspark.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.element_at;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.trtspark.spark.sql.TrtRules;
import dev.trtspark.spark.sql.TrtSparkExtensions;
import dev.trtspark.spark.sql.TrtSql;
import dev.trtspark.testing.Digits;
import dev.trtspark.testing.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SQL, the Column form, the DataFrame API and Structured Streaming on the one batched Catalyst operator
 * (TrtEvaluation), on ONNX Runtime.
 */
class SqlOperatorTest {
  private final SparkSession spark = SparkTestSession.get();

  @TempDir
  Path tmp;

  private Dataset<Row> rows(long n, int partitions) {
    return spark.sql("SELECT id, array(CAST(id AS FLOAT), CAST(id + 1 AS FLOAT), CAST(-id AS FLOAT), 0.5F) AS a, "
        + "array(1F, 2F, 3F, CAST(id AS FLOAT)) AS b FROM range(0, " + n + ", 1, " + partitions + ")");
  }

  private static String explain(Dataset<?> df) {
    return ((org.apache.spark.sql.classic.Dataset<?>) df).queryExecution().executedPlan().toString();
  }

  private static int count(String text, String what) {
    return text.split(java.util.regex.Pattern.quote(what), -1).length - 1;
  }

  @Test
  void aModelNamedInTheConfRunsInSqlInBatchesLikeTheDataFrameApi() {
    spark.conf().set("spark.trt.model.digits_conf.uri", Digits.onnx().toString());
    spark.conf().set("spark.trt.model.digits_conf.batchSize", "128");
    try {
      TrtSql.install(spark);
      spark.read().parquet(Digits.parquet().toString()).createOrReplaceTempView("digits_conf_t");
      Dataset<Row> scored = spark.sql("SELECT label, trt_predict('digits_conf', features) AS probs FROM digits_conf_t");
      String plan = explain(scored);
      assertEquals(1, count(plan, "TrtEvaluation model digits_conf"), plan);
      assertTrue(plan.contains("batchSize 128"), plan);
      assertTrue(plan.contains("pass [label#"), "the bound column is not carried past the operator: " + plan);
      long correct = scored.filter("array_position(probs, array_max(probs)) - 1 = label").count();
      assertEquals(1781, correct);
      TrtInference model = TrtSql.model(spark, "digits_conf");
      assertEquals(1797, model.metrics().rows());
      assertTrue(model.metrics().batches() <= 20, "batches of up to 128 rows, not one call per row: "
          + model.metrics().summary());
      // the same values as the DataFrame API
      List<Row> viaSql = spark.sql("SELECT trt_predict('digits_conf', features) AS probs FROM digits_conf_t")
          .collectAsList();
      List<Row> viaApi = TrtInference.builder().model(Digits.onnx().toString()).input("features", "features")
          .output("probs", "probs").build().transform(spark.table("digits_conf_t")).select("probs").collectAsList();
      assertEquals(viaApi, viaSql);
    } finally {
      spark.conf().unset("spark.trt.model.digits_conf.uri");
      spark.conf().unset("spark.trt.model.digits_conf.batchSize");
    }
  }

  @Test
  void theColumnFormWorksInSelectWithColumnAndWhereAndRunsTheModelOnce() {
    TrtInference affine = TrtInference.builder().model(TestModels.path("affine_f32.onnx").toString()).input("x", "a")
        .output("y", "y").batchSize(16).build();
    Dataset<Row> out = rows(200, 4).withColumn("y", affine.predict(col("a")))
        .where(element_at(col("y"), 1).gt(100f)).select("id", "y");
    List<Row> rows = out.collectAsList();
    // y[0] = 2 id + 1 > 100 for id >= 50
    assertEquals(150, rows.size());
    for (Row r : rows) {
      long id = r.getLong(0);
      assertEquals(List.of(2f * id + 1, 2f * id + 3, -2f * id + 1, 2f), r.getList(1));
    }
    assertEquals(200, affine.metrics().rows(), "each row went through the model once, not once per use of y");
    String plan = explain(out);
    assertEquals(1, count(plan, "TrtEvaluation"), plan);
    assertEquals("struct<y:array<float>>", rows(1, 1).select(affine.predict(col("a")).as("y")).schema().simpleString(),
        "the schema is known at analysis");
  }

  @Test
  void filtersOnInputColumnsRunBeforeTheModel() {
    TrtInference affine = TrtInference.builder().model(TestModels.path("affine_f32.onnx").toString()).input("x", "a")
        .output("y", "y").build();
    Dataset<Row> df = rows(1000, 4);
    List<Row> out = affine.transform(df).where("id % 10 = 3").collectAsList();
    assertEquals(100, out.size());
    assertEquals(100, affine.metrics().rows(), "only the rows the query keeps reach the model");
  }

  @Test
  void twoModelsAndOneModelOnTwoColumnsRunInOneQuery() {
    TrtSql.register(spark, "affine_two", TrtInference.builder().model(TestModels.path("affine_f32.onnx").toString())
        .input("x", "x").output("y", "y").build());
    TrtSql.register(spark, "total_two", TrtInference.builder().model(TestModels.path("scalar_out.onnx").toString())
        .input("x", "x").output("y", "y").build());
    rows(30, 3).createOrReplaceTempView("two_t");
    Dataset<Row> q = spark.sql("SELECT id, trt_predict('affine_two', a) AS ya, trt_predict('affine_two', b) AS yb, "
        + "trt_predict('total_two', b) AS t, trt_predict('total_two', trt_predict('affine_two', b)) AS nested FROM two_t "
        + "WHERE trt_predict('total_two', a) > 0");
    String plan = explain(q);
    // five in the SELECT list and the one of the WHERE condition, which runs first
    assertEquals(6, count(plan, "TrtEvaluation"), plan);
    List<Row> out = q.orderBy("id").collectAsList();
    // total(a) = id + id + 1 - id + 0.5 = id + 1.5 > 0 for every row
    assertEquals(30, out.size());
    Row r = out.get(7);
    assertEquals(List.of(15f, 17f, -13f, 2f), r.getList(1));
    assertEquals(List.of(3f, 5f, 7f, 15f), r.getList(2));
    assertEquals(13f, r.getFloat(3));
    assertEquals(3f + 5f + 7f + 15f, r.getFloat(4));
  }

  @Test
  void severalOutputsAreAStructWhoseFieldsCanBeSelected() {
    TrtSql.register(spark, "sum_prod_sql", TrtInference.builder().model(TestModels.path("two_in_two_out.onnx").toString())
        .input("a", "l").input("b", "r").output("sum", "s").output("prod", "p").build());
    Row r = spark.sql("SELECT o.s, o.p FROM (SELECT trt_predict('sum_prod_sql', array(1F, 2F, 3F), array(4F, 5F, 6F)) "
        + "AS o)").collectAsList().get(0);
    assertEquals(List.of(5f, 7f, 9f), r.getList(0));
    assertEquals(List.of(4f, 10f, 18f), r.getList(1));
  }

  @Test
  void wrongCallsFailAtAnalysisNamingWhatToFix() {
    TrtSql.register(spark, "affine_err", TrtInference.builder().model(TestModels.path("affine_f32.onnx").toString())
        .input("x", "x").output("y", "y").build());
    rows(3, 1).createOrReplaceTempView("err_t");
    String count = assertThrows(Exception.class, () -> spark.sql("SELECT trt_predict('affine_err', a, b) FROM err_t")
        .collectAsList()).getMessage();
    assertTrue(count.contains("trt_predict('affine_err') takes 1 argument after the model name ([x]), got 2"), count);
    String type = assertThrows(Exception.class, () -> spark.sql("SELECT trt_predict('affine_err', CAST(id AS STRING)) "
        + "FROM err_t").collectAsList()).getMessage();
    assertTrue(type.contains("trt_predict('affine_err'): column 'CAST(err_t.id AS STRING)' (string)") && type.contains(
        "cannot feed tensor 'x' (float32 [-1x4])"), type);
    String unknown = assertThrows(Exception.class, () -> spark.sql("SELECT trt_predict('nope', a) FROM err_t")
        .collectAsList()).getMessage();
    assertTrue(unknown.contains("no model named 'nope': set spark.trt.model.nope.uri=") && unknown.contains("affine_err"),
        unknown);
    String name = assertThrows(Exception.class, () -> spark.sql("SELECT trt_predict(CAST(id AS STRING), a) FROM err_t")
        .collectAsList()).getMessage();
    assertTrue(name.contains("trt_predict takes the model's name (a string constant) first"), name);
    String conf = assertThrows(Exception.class, () -> {
      spark.conf().set("spark.trt.model.typo.uri", TestModels.path("affine_f32.onnx").toString());
      spark.conf().set("spark.trt.model.typo.batchSise", "8");
      try {
        spark.sql("SELECT trt_predict('typo', a) FROM err_t").collectAsList();
      } finally {
        spark.conf().unset("spark.trt.model.typo.uri");
        spark.conf().unset("spark.trt.model.typo.batchSise");
      }
    }).getMessage();
    assertTrue(conf.contains("unknown key spark.trt.model.typo.batchSise") && conf.contains("batchSize"), conf);
  }

  @Test
  void aStreamingQueryScoresNewFilesOnceAcrossARestart() throws Exception {
    Path in = Files.createDirectories(tmp.resolve("in"));
    Path out = tmp.resolve("out");
    Path checkpoint = tmp.resolve("checkpoint");
    TrtInference affine = TrtInference.builder().model(TestModels.path("affine_f32.onnx").toString()).input("x", "a")
        .output("y", "y").build();
    rows(100, 2).write().parquet(in.resolve("f1").toString());
    org.apache.spark.sql.types.StructType schema = spark.read().parquet(in.resolve("f1").toString()).schema();
    for (int run = 0; run < 2; run++) {
      Dataset<Row> stream = spark.readStream().schema(schema).parquet(in.toString() + "/*");
      StreamingQuery q = affine.transform(stream).writeStream().format("parquet")
          .option("checkpointLocation", checkpoint.toString()).start(out.toString());
      try {
        q.processAllAvailable();
        long base = 100 + 100L * run;
        spark.sql("SELECT id + " + base + " AS id, a, b FROM (SELECT id, array(CAST(id + " + base + " AS FLOAT), "
            + "CAST(id + " + (base + 1) + " AS FLOAT), CAST(-(id + " + base + ") AS FLOAT), 0.5F) AS a, b FROM "
            + "(SELECT id, array(1F) AS b FROM range(0, 100, 1, 2)))").write().parquet(in.resolve("f" + (run + 2)).toString());
        q.processAllAvailable();
      } finally {
        q.stop();
      }
    }
    List<Row> written = spark.read().parquet(out.toString()).collectAsList();
    Set<Long> ids = new HashSet<>();
    for (Row r : written) {
      long id = r.getLong(r.fieldIndex("id"));
      assertTrue(ids.add(id), "row " + id + " written once");
      assertEquals(List.of(2f * id + 1, 2f * id + 3, -2f * id + 1, 2f), r.getList(r.fieldIndex("y")));
    }
    assertEquals(300, ids.size(), "no gap: ids 0..299");
    assertTrue(affine.metrics().engineLoads() <= 1, "one engine load in this JVM: " + affine.metrics().summary());
  }

  @Test
  void theSessionExtensionGivesAFreshSessionTheFunctionRuleAndStrategy() {
    org.apache.spark.SparkContext sc = spark.sparkContext();
    sc.conf().set("spark.sql.extensions", TrtSparkExtensions.class.getName());
    org.apache.spark.sql.classic.SparkSession fresh;
    try {
      fresh = new org.apache.spark.sql.classic.SparkSession(sc);
    } finally {
      sc.conf().remove("spark.sql.extensions");
    }
    assertFalse(fresh.experimental().extraOptimizations().contains(TrtRules.Extract.INSTANCE),
        "nothing installed at run time in this session");
    fresh.conf().set("spark.trt.model.ext_affine.uri", TestModels.path("affine_f32.onnx").toString());
    Dataset<Row> q = fresh.sql("SELECT id, trt_predict('ext_affine', array(CAST(id AS FLOAT), 0F, 0F, 0F)) AS y "
        + "FROM range(0, 5, 1, 1)");
    assertTrue(explain(q).contains("TrtEvaluation model ext_affine"), explain(q));
    assertEquals(List.of(9f, 1f, 1f, 1f), q.collectAsList().get(4).getList(1));
  }
}
