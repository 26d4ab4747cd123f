package dev.trtspark.jobs;

import static dev.trtspark.jobs.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.trtspark.conf.BuildConf;
import dev.trtspark.conf.ConfigResolver;
import dev.trtspark.conf.Precision;
import dev.trtspark.engine.Engines;
import dev.trtspark.spark.SparkTestSession;
import dev.trtspark.testing.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** trtexec's names and defaults where users arrive with them (the GPU side is in the GPU tests). */
class TrtexecParityTest {
  @TempDir
  Path tmp;

  @BeforeAll
  static void session() {
    SparkTestSession.get();
  }

  private static String bert() {
    return TestModels.path("tiny_bert.onnx").toString();
  }

  @Test
  void tf32IsOnByDefaultAsInTensorRtAndTrtexec() {
    assertEquals(List.of(Precision.FP32, Precision.TF32), ConfigResolver.resolve(Map.of(), Map.of()).get(BuildConf.PRECISION));
  }

  @Test
  void memPoolSizeTakesMebibytesOrASuffix() {
    assertEquals("1073741824", BuildCommand.workspaceFromPool("workspace:1024"));
    assertEquals("512M", BuildCommand.workspaceFromPool("workspace:512M"));
    assertEquals(2, run("build", "--onnx", bert(), "--saveEngine", tmp.resolve("p").toString(), "--memPoolSize",
        "dlaSRAM:1").code());
    assertEquals(2, run("build", "--onnx", bert(), "--saveEngine", tmp.resolve("p").toString(), "--tf32", "--noTF32").code());
  }

  @Test
  void trtexecFlagsAreAcceptedByBuild() {
    assumeFalse(Engines.gpuProbe().usable(), "this host has a GPU: the GPU tests build plans");
    Cli.Run r = run("build", "--onnx", bert(), "--saveEngine", tmp.resolve("bert.plan").toString(), "--minShapes",
        "input_ids:1x1,attention_mask:1x1", "--optShapes", "input_ids:8x16,attention_mask:8x16", "--maxShapes",
        "input_ids:32x64,attention_mask:32x64", "--memPoolSize=workspace:256", "--timingCacheFile",
        tmp.resolve("t.cache").toString(), "--best", "--noTF32", "--conf", "build.optimizationLevel=4");
    assertEquals(1, r.code(), "parsed, then refused for want of a GPU: " + r.err());
    assertTrue(r.err().startsWith("trt-spark build: building a plan needs an NVIDIA GPU"), r.err());
  }

  @Test
  void benchTakesShapesForDynamicDimensions() throws Exception {
    Path out = tmp.resolve("bench");
    Cli.Run missing = run("bench", "--model", bert(), "--batch-sizes", "8", "--rows", "64", "--output", out.toString());
    assertEquals(2, missing.code());
    assertTrue(missing.err().contains("give its shape with --shapes input_ids:1x128"), missing.err());
    Cli.Run r = run("bench", "--model", bert(), "--batch-sizes", "8,16", "--rows", "200", "--output", out.toString(),
        "--shapes", "input_ids:1x12,attention_mask:1x12");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().startsWith("batch              rows/s       ms/batch\n8 "), r.out());
    assertEquals(3, Files.readAllLines(out.resolve("bench.csv")).size());
  }

  @Test
  void benchMakesRowsOfTheTypeEachInputTakes() {
    // int8 takes tinyint, bool booleans, uint8 raw bytes, float16 floats: none of them takes an int column
    for (String model : List.of("neg_i8.onnx", "not_bool.onnx", "u8_to_f32.onnx", "scale_f16.onnx")) {
      Cli.Run r = run("bench", "--model", TestModels.path(model).toString(), "--batch-sizes", "16", "--rows", "64",
          "--output", tmp.resolve(model).toString());
      assertEquals(0, r.code(), model + ": " + r.err());
    }
  }

  @Test
  void compareTakesTolerancesPerOutputAndSummarizesErrorsLikePolygraphy() {
    CompareCommand.Tolerance t = CompareCommand.Tolerance.parse(List.of("1e-4", "probs=1e-2", "logits:0.5"), 1e-5, "--atol");
    assertEquals(1e-4, t.of("other"));
    assertEquals(1e-2, t.of("probs"));
    assertEquals(0.5, t.of("logits"));
    java.util.List<Double> e = new java.util.ArrayList<>();
    for (int i = 1; i <= 100; i++) {
      e.add(i / 100.0);
    }
    assertEquals("max 1.00, mean 0.505, median 0.500, p90 0.900, p99 0.990", CompareCommand.stats(e));
    assertEquals(2, run("compare", "--input", "x", "--bind", "a=b").code(), "no reference");
    assertEquals(2, run("compare", "--onnx", bert(), "--input", "x", "--bind", "a=b", "--atol", "tight").code());
  }
}
