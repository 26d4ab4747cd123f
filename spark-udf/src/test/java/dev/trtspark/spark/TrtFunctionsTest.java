package dev.trtspark.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.trtspark.engine.cache.EngineCache;
import dev.trtspark.testing.Digits;
import dev.trtspark.testing.TestModels;
import java.util.List;
import org.apache.spark.SparkException;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** A registered SQL function: the batched operator, as the DataFrame API. */
class TrtFunctionsTest {
  private final SparkSession spark = SparkTestSession.get();

  @Test
  void sqlFunctionScoresDigitsLikeTheDataFrameApi() {
    spark.read().parquet(Digits.parquet().toString()).createOrReplaceTempView("digits_sql");
    TrtInference inference = TrtInference.builder().model(Digits.onnx().toString())
        .input("features", "features").output("probs", "probs").build();
    TrtFunctions.register(spark, "digits", inference);
    long correct = spark.sql("SELECT label, digits(features) AS probs FROM digits_sql")
        .filter("array_position(probs, array_max(probs)) - 1 = label").count();
    assertEquals(1781, correct);
    assertEquals(1797, inference.metrics().rows(), "the SQL path records the same metrics as the DataFrame API");
    assertEquals(0, EngineCache.existing().map(c -> c.stats().slotsInUse()).orElse(0), "slots released when the tasks ended");
  }

  @Test
  void severalOutputsComeBackAsAStruct() {
    TrtFunctions.register(spark, "sum_prod", TrtInference.builder().model(TestModels.path("two_in_two_out.onnx").toString())
        .input("a", "l").input("b", "r").output("sum", "s").output("prod", "p").build());
    List<Row> out = spark.sql("SELECT sum_prod(array(1F, 2F, 3F), array(4F, 5F, 6F)) AS r").collectAsList();
    Row r = out.get(0).getStruct(0);
    assertEquals(List.of(5f, 7f, 9f), r.getList(0));
    assertEquals(List.of(4f, 10f, 18f), r.getList(1));
  }

  @Test
  void twoFunctionsInOneQueryEachUseTheirOwnModel() {
    TrtFunctions.register(spark, "plus_one_affine", TrtInference.builder().model(TestModels.path("affine_f32.onnx").toString())
        .input("x", "x").output("y", "y").build());
    TrtFunctions.register(spark, "row_total", TrtInference.builder().model(TestModels.path("scalar_out.onnx").toString())
        .input("x", "x").output("y", "y").build());
    Row r = spark.sql("SELECT plus_one_affine(array(1F, 2F, 3F, 4F)) AS a, row_total(array(1F, 2F, 3F, 4F)) AS t "
        + "FROM range(0, 3, 1, 1)").collectAsList().get(2);
    assertEquals(List.of(3f, 5f, 7f, 9f), r.getList(0));
    assertEquals(10f, r.getFloat(1));
  }

  @Test
  void nonFiniteValuesFollowTheSameRuleAsTheDataFrameApi() {
    TrtFunctions.register(spark, "affine_finite", TrtInference.builder().model(TestModels.path("affine_f32.onnx").toString())
        .input("x", "x").output("y", "y").option("allowNonFinite", "false").option("badRowPolicy", "null").build());
    List<Row> rows = spark.sql("SELECT affine_finite(array(1F, CAST('NaN' AS FLOAT), 3F, 4F)) AS y, "
        + "affine_finite(array(1F, 2F, 3F, 4F)) AS ok").collectAsList();
    assertTrue(rows.get(0).isNullAt(0), "NaN is a bad row when allowNonFinite=false (the SQL path ignored it before)");
    assertEquals(List.of(3f, 5f, 7f, 9f), rows.get(0).getList(1));
  }

  @Test
  void badArgumentFailsOrGivesNullByPolicy() {
    TrtFunctions.register(spark, "affine_strict", TrtInference.builder().model(TestModels.path("affine_f32.onnx").toString())
        .input("x", "x").output("y", "y").build());
    SparkException e = assertThrows(SparkException.class,
        () -> spark.sql("SELECT affine_strict(array(1F, 2F, 3F)) FROM range(0, 2, 1, 1)").collectAsList());
    assertTrue(e.getMessage().contains("partition 0: column 'array(CAST('1.0' AS FLOAT), CAST('2.0' AS FLOAT), "
        + "CAST('3.0' AS FLOAT))' row 0 of batch 0 (partition row 0) has 3 values; tensor 'x' [-1x4] needs 4 float32 "
        + "values"), e.getMessage());
    TrtFunctions.register(spark, "affine_lenient", TrtInference.builder().model(TestModels.path("affine_f32.onnx").toString())
        .input("x", "x").output("y", "y").option("badRowPolicy", "null").build());
    List<Row> rows = spark.sql("SELECT affine_lenient(IF(id = 0, array(1F, 2F, 3F), array(1F, 2F, 3F, 4F))) AS y "
        + "FROM range(0, 2, 1, 1)").collectAsList();
    assertTrue(rows.get(0).isNullAt(0));
    assertEquals(List.of(3f, 5f, 7f, 9f), rows.get(1).getList(0));
  }
}
