package dev.trtspark.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.trtspark.engine.Engines;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;

/**
 * A transformer with a dynamic sequence through the command line on TensorRT: compare passes against
 * ONNX Runtime, and infer's outputs are cut to each row's length, equal for any batch size and equal to
 * ONNX Runtime's.
 */
@Tag("gpu")
class TransformerGpuTest {
  private static final String[] SHAPES = {"--conf", "build.precision=fp32", "--conf", "build.minShapes=input_ids:1x1,attention_mask:1x1", "--conf",
      "build.optShapes=input_ids:16x8,attention_mask:16x8", "--conf", "build.maxShapes=input_ids:64x16,attention_mask:64x16"};
  private static Path root;

  @TempDir
  Path tmp;

  @BeforeAll
  static void needsGpu() {
    assumeTrue(Engines.gpuProbe().usable(), "skipped: no usable GPU with TensorRT here (" + Engines.gpuProbe().problem() + ")");
    root = Cli.root();
    Cli.session("local[4]");
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
    String bert = root.resolve("engine-cache/src/test/resources/models/tiny_bert.onnx").toString();
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

}
