package dev.trtspark.jobs;

import static dev.trtspark.jobs.Cli.DIGITS_ONNX;
import static dev.trtspark.jobs.Cli.DIGITS_PARQUET;
import static dev.trtspark.jobs.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trtspark.engine.Engines;
import dev.trtspark.spark.SparkTestSession;
import dev.trtspark.testing.Repo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI through its real main, on a local Spark session, ONNX Runtime backend. */
class MainTest {
  @TempDir
  Path tmp;

  @BeforeAll
  static void session() {
    SparkTestSession.get();
  }

  @Test
  void demoPrintsRowsBackendAndTheRecordedAccuracy() {
    Cli.Run r = run("demo", "--home", Repo.root().toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("rows in: 1797\nrows out: 1797\n"), r.out());
    assertTrue(r.out().contains("backend: onnxruntime"), r.out());
    assertTrue(r.out().contains("accuracy=0.9911 (1781 of 1797"), r.out());
  }

  @Test
  void inferWritesInputColumnsAndOutputsAndRefusesToOverwrite() {
    String out = tmp.resolve("scored").toString();
    String[] args = {"infer", "--model", DIGITS_ONNX, "--input", DIGITS_PARQUET, "--output", out,
        "--bind", "features=features", "--out", "probs=scores", "--batch-size", "100"};
    Cli.Run first = run(args);
    assertEquals(0, first.code(), first.err());
    assertEquals("struct<id:bigint,label:int,split:string,scores:array<float>>",
        SparkSession.active().read().parquet(out).schema().simpleString(), "the bound column is left out by default");
    String kept = tmp.resolve("scored-kept").toString();
    Cli.Run keep = run("infer", "--model", DIGITS_ONNX, "--input", DIGITS_PARQUET, "--output", kept,
        "--bind", "features=features", "--out", "probs=scores", "--keep-bound-columns");
    assertEquals(0, keep.code(), keep.err());
    assertEquals("struct<id:bigint,features:array<float>,label:int,split:string,scores:array<float>>",
        SparkSession.active().read().parquet(kept).schema().simpleString());
    Cli.Run again = run(args);
    assertEquals(2, again.code());
    assertEquals("trt-spark infer: output " + out + " already exists; pass --overwrite to replace it\n"
        + "(run with --verbose for the stack trace)\n", again.err());
    String[] overwrite = java.util.Arrays.copyOf(args, args.length + 1);
    overwrite[args.length] = "--overwrite";
    Cli.Run replaced = run(overwrite);
    assertEquals(0, replaced.code(), replaced.err());
  }

  @Test
  void argumentErrorsSayExactlyWhatIsWrong() {
    String out = tmp.resolve("o").toString();
    Cli.Run missing = run("infer", "--model", DIGITS_ONNX, "--input", "/no/such/table", "--output", out, "--bind",
        "features=features");
    assertTrue(missing.err().startsWith("trt-spark infer: input not found: /no/such/table\n"), missing.err());
    Cli.Run tensor = run("infer", "--model", DIGITS_ONNX, "--input", DIGITS_PARQUET, "--output", out,
        "--bind", "pixels=features");
    assertTrue(tensor.err().startsWith("trt-spark infer: model " + DIGITS_ONNX + " needs input 'features', which "
        + "is not bound; the bound inputs are [pixels]"), tensor.err());
    Cli.Run column = run("infer", "--model", DIGITS_ONNX, "--input", DIGITS_PARQUET, "--output", out,
        "--bind", "features=pixels");
    assertTrue(column.err().startsWith("trt-spark infer: input column 'pixels' (for tensor 'features') does not exist; "
        + "the columns are [id, features, label, split]"), column.err());
    Cli.Run shape = run("build", "--onnx", DIGITS_ONNX, "--output", out, "--max-shapes", "features:0x64");
    assertEquals(2, shape.code());
    assertTrue(shape.err().startsWith("trt-spark build: invalid value 'features:0x64' for spark.trt.build.maxShapes"),
        shape.err());
    Cli.Run same = run("infer", "--model", DIGITS_ONNX, "--input", DIGITS_PARQUET, "--output",
        DIGITS_PARQUET, "--bind", "features=features", "--overwrite");
    assertEquals(2, same.code());
    assertTrue(same.err().startsWith("trt-spark infer: --output " + DIGITS_PARQUET + " is --input file:"
        + DIGITS_PARQUET + "; writing there would delete what the job reads"), same.err());
    Cli.Run usage = run("infer", "--model", DIGITS_ONNX);
    assertEquals(2, usage.code());
    assertTrue(usage.err().startsWith("Missing required options: '--input=<input>', '--output=<output>', '--bind=<binds>'"),
        usage.err());
  }

  @Test
  void aJobThatFailsMidwayLeavesNoOutputBehind() throws Exception {
    Path bad = tmp.resolve("bad.parquet");
    SparkSession.active().read().parquet(DIGITS_PARQUET)
        .selectExpr("id", "IF(id = 1500, NULL, features) AS features").repartition(1).write().parquet(bad.toString());
    Path out = tmp.resolve("never");
    Cli.Run r = run("infer", "--model", DIGITS_ONNX, "--input", bad.toString(), "--output", out.toString(), "--bind",
        "features=features");
    assertEquals(1, r.code());
    assertTrue(r.err().contains("column 'features' row 220 of batch 5 (partition row 1500) is null"), r.err());
    try (Stream<Path> left = Files.list(tmp)) {
      assertEquals(1, left.count(), "only the input remains, no output and no staging folder");
    }
    assertFalse(Files.exists(out));
  }

  @Test
  void inspectListsTensorsAndSpeaksJson() throws Exception {
    Cli.Run r = run("inspect", DIGITS_ONNX);
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("kind:   ONNX\n"), r.out());
    assertTrue(r.out().contains("input features float32 [-1, 64] profile [1x64]..[1024x64]"), r.out());
    JsonNode j = new ObjectMapper().readTree(run("inspect", "--json", DIGITS_ONNX).out());
    assertEquals("1b7324ebf603f2512d361919de405e2fe2afd213d491a097c9aa3b19e85db891", j.get("sha256").asText());
    assertEquals("probs", j.get("outputs").get(0).get("name").asText());
  }

  @Test
  void buildAndCompareSayWhatTheyCouldNotRunWithoutAGpu() {
    assumeFalse(Engines.gpuProbe().usable(), "this host has a GPU");
    Cli.Run build = run("build", "--onnx", DIGITS_ONNX, "--output", tmp.resolve("d.plan").toString());
    assertEquals(1, build.code());
    assertTrue(build.err().startsWith("trt-spark build: building a plan needs an NVIDIA GPU with TensorRT 10.6, and this "
        + "host has none usable ("), build.err());
    Cli.Run compare = run("compare", "--onnx", DIGITS_ONNX, "--input", DIGITS_PARQUET, "--bind",
        "features=features");
    assertEquals(1, compare.code());
    assertTrue(compare.out().startsWith("compare: ran nothing. TensorRT cannot run on this host ("), compare.out());
  }

  @Test
  void benchWritesATableACsvAndAChart() throws Exception {
    Path dir = tmp.resolve("bench");
    Cli.Run r = run("bench", "--model", DIGITS_ONNX, "--batch-sizes", "32,128", "--rows", "2000", "--output",
        dir.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().startsWith("batch              rows/s       ms/batch\n32 "), r.out());
    List<String> csv = Files.readAllLines(dir.resolve("bench.csv"));
    assertEquals("batch_size,rows_per_sec,ms_per_batch", csv.get(0));
    assertEquals(3, csv.size());
    assertTrue(csv.get(2).startsWith("128,"), csv.toString());
    java.awt.image.BufferedImage png = javax.imageio.ImageIO.read(dir.resolve("bench.png").toFile());
    assertEquals(720, png.getWidth());
  }

  @Test
  void launcherScriptRunsTheDemoFromACheckout() throws Exception {
    Path launcher = Repo.path("bin/trt-spark");
    Process p = new ProcessBuilder(launcher.toString(), "demo").directory(tmp.toFile()).redirectErrorStream(true)
        .redirectOutput(tmp.resolve("demo.log").toFile()).start();
    assertTrue(p.waitFor(300, TimeUnit.SECONDS), "demo finished");
    String log = Files.readString(tmp.resolve("demo.log"), StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), log);
    assertTrue(log.contains("accuracy=0.9911 (1781 of 1797"), log);
  }
}
