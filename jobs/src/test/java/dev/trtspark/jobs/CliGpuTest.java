package dev.trtspark.jobs;

import static dev.trtspark.jobs.Cli.DIGITS_ONNX;
import static dev.trtspark.jobs.Cli.DIGITS_PARQUET;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.trtspark.engine.Engines;
import dev.trtspark.spark.SparkTestSession;
import dev.trtspark.testing.Repo;
import dev.trtspark.testing.TestModels;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line on TensorRT: a transformer with a dynamic sequence (compare passes against ONNX
 * Runtime, and infer's outputs are cut to each row's length, equal for any batch size and equal to ONNX
 * Runtime's); trtexec's build flags; compare of an fp16 plan against an fp32 one with per-output
 * tolerances.
 */
@Tag("gpu")
class CliGpuTest {
  private static final String[] SHAPES = {"--conf", "build.precision=fp32", "--conf", "build.minShapes=input_ids:1x1,attention_mask:1x1", "--conf",
      "build.optShapes=input_ids:16x8,attention_mask:16x8", "--conf", "build.maxShapes=input_ids:64x16,attention_mask:64x16"};

  @TempDir
  Path tmp;

  @BeforeAll
  static void needsGpu() {
    assumeTrue(Engines.gpuProbe().usable(), "skipped: no usable GPU with TensorRT here (" + Engines.gpuProbe().problem() + ")");
    SparkTestSession.get();
  }

  private static String[] run(String... args) {
    Cli.Run r = Cli.run(args);
    return new String[] {Integer.toString(r.code()), r.out(), r.err()};
  }

  private static String[] concat(String[] a, String... b) {
    return Cli.concat(a, b);
  }

  @Test
  void compareAndInferAgreeWithOnnxRuntimeRowByRow() {
    String bert = TestModels.path("tiny_bert.onnx").toString();
    String in = tmp.resolve("tokens").toString();
    SparkSession.active().range(300).selectExpr("id",
        "transform(sequence(1, CAST(1 + id % 16 AS INT)), j -> CAST((id * 7 + j * 3) % 50 AS BIGINT)) AS ids",
        "transform(sequence(1, CAST(1 + id % 16 AS INT)), j -> CAST(1 AS BIGINT)) AS mask")
        .repartition(3).write().parquet(in);
    String[] cmp = run(concat(new String[] {"compare", "--onnx", bert, "--input", in, "--bind", "input_ids=ids", "--bind",
        "attention_mask=mask", "--atol", "1e-4"}, SHAPES));
    System.out.println(cmp[1] + cmp[2]);
    assertEquals("0", cmp[0], cmp[1] + cmp[2]);
    assertTrue(cmp[1].contains("last_hidden_state: "), cmp[1]);
    assertTrue(!cmp[1].contains("differ in length"), cmp[1]);
    String[] base = concat(new String[] {"infer", "--model", bert, "--input", in, "--bind", "input_ids=ids", "--bind",
        "attention_mask=mask"}, SHAPES);
    List<List<Row>> outs = new java.util.ArrayList<>();
    for (String[] extra : new String[][] {{"--backend", "tensorrt", "--batch-size", "1"},
        {"--backend", "tensorrt", "--batch-size", "64"}, {"--backend", "onnxruntime", "--batch-size", "64"}}) {
      String out = tmp.resolve("out-" + outs.size()).toString();
      String[] r = run(concat(concat(base, "--output", out), extra));
      assertEquals("0", r[0], r[2]);
      outs.add(SparkSession.active().read().parquet(out).orderBy("id").collectAsList());
    }
    for (int i = 0; i < 300; i++) {
      float[] one = Cli.floats(outs.get(0).get(i).getList(1));
      assertEquals((1 + i % 16) * 16, one.length, "row " + i);
      assertArrayEquals(one, Cli.floats(outs.get(1).get(i).getList(1)), 1e-4f, "TensorRT, batch 1 vs 64, row " + i);
      assertArrayEquals(one, Cli.floats(outs.get(2).get(i).getList(1)), 1e-4f, "TensorRT vs ONNX Runtime, row " + i);
    }
  }


  @Test
  void trtexecFlagsBuildAndComparePlansWithPerOutputTolerances() {
    String onnx = DIGITS_ONNX;
    String data = DIGITS_PARQUET;
    String fp32 = tmp.resolve("digits-fp32.plan").toString();
    String fp16 = tmp.resolve("digits-fp16.plan").toString();
    String[] b32 = run("build", "--onnx", onnx, "--saveEngine", fp32, "--noTF32", "--minShapes", "features:1x64",
        "--optShapes", "features:256x64", "--maxShapes", "features:1024x64", "--memPoolSize=workspace:256",
        "--timingCacheFile", tmp.resolve("timing.cache").toString());
    assertEquals("0", b32[0], b32[2]);
    String[] b16 = run("build", "--onnx", onnx, "--saveEngine", fp16, "--fp16", "--timingCacheFile",
        tmp.resolve("timing.cache").toString());
    assertEquals("0", b16[0], b16[2]);
    String[] tight = run("compare", "--plan", fp16, "--reference", fp32, "--input", data, "--bind", "features=features",
        "--atol", "1e-7", "--rtol", "0");
    System.out.println(tight[1]);
    assertEquals("1", tight[0], "fp16 is not within 1e-7 of fp32: " + tight[1]);
    assertTrue(tight[1].contains("probs: ") && tight[1].contains("  absolute error: max "), tight[1]);
    String[] loose = run("compare", "--plan", fp16, "--reference", fp32, "--input", data, "--bind", "features=features",
        "--atol", "1e-7", "--atol", "probs=2e-2", "--rtol", "probs=5e-2");
    System.out.println(loose[1]);
    assertEquals("0", loose[0], loose[1] + loose[2]);
  }

  /**
   * A user's plugin library (the example of examples/plugin, built by its build.sh into .gpu-plugin/ or
   * named by -Dtrt.test.plugin): without it the parser's error names the op; with {@code build --plugins}
   * the plan builds, and {@code infer} with {@code spark.trt.plugins} deserializes and runs it in Spark.
   */
  @Test
  void aUserPluginLibraryBuildsAndRunsItsOp() throws Exception {
    Path so = Path.of(System.getProperty("trt.test.plugin", Repo.path(".gpu-plugin/libtile2_plugin.so").toString()));
    assumeTrue(java.nio.file.Files.isRegularFile(so), "skipped: the example plugin library " + so
        + " is not built (examples/plugin/build.sh TENSORRT_INCLUDE LIBCUDART_SO " + so + ")");
    String onnx = TestModels.path("tile2_plugin.onnx").toString();
    String plan = tmp.resolve("tile2.plan").toString();
    String[] without = run("build", "--onnx", onnx, "--output", tmp.resolve("no-plugin.plan").toString());
    assertEquals("1", without[0], without[1] + without[2]);
    assertTrue(without[2].contains("Tile2"), "the error names the op: " + without[2]);
    String[] built = run("build", "--onnx", onnx, "--output", plan, "--plugins", so.toString());
    assertEquals("0", built[0], built[1] + built[2]);
    String in = tmp.resolve("x").toString();
    SparkSession.active().range(1000).selectExpr("id",
        "array(CAST(id AS FLOAT), CAST(id AS FLOAT) / 2, -CAST(id AS FLOAT), 0.25f) AS x").repartition(4).write().parquet(in);
    String out = tmp.resolve("y").toString();
    String[] r = run("infer", "--model", plan, "--input", in, "--output", out, "--bind", "x=x", "--batch-size", "64",
        "--backend", "tensorrt", "--conf", "spark.trt.plugins=" + so);
    assertEquals("0", r[0], r[1] + r[2]);
    List<Row> rows = SparkSession.active().read().parquet(out).orderBy("id").collectAsList();
    assertEquals(1000, rows.size());
    for (Row row : rows) {
      float id = row.getLong(row.fieldIndex("id"));
      float[] x = {id, id / 2, -id, 0.25f};
      float[] want = new float[8];
      for (int j = 0; j < 8; j++) {
        want[j] = x[j % 4] + 1;
      }
      assertArrayEquals(want, Cli.floats(row.getList(row.fieldIndex("y"))), 0f, "row " + row.getLong(row.fieldIndex("id")));
    }
  }
}
