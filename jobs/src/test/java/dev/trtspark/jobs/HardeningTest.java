package dev.trtspark.jobs;

import static dev.trtspark.jobs.Cli.DIGITS_ONNX;
import static dev.trtspark.jobs.Cli.DIGITS_PARQUET;
import static dev.trtspark.jobs.Cli.concat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static dev.trtspark.jobs.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.trtspark.engine.Engines;
import dev.trtspark.spark.SparkTestSession;
import dev.trtspark.testing.Digits;
import dev.trtspark.testing.Repo;
import dev.trtspark.testing.TestModels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every failure a user met with the command line, through its real main: a transformer with a dynamic
 * sequence, unsafe outputs, leftovers of killed jobs, globs and URIs, Spark options, exit codes, bad-row
 * reports, and what a terminal shows (real processes through bin/trt-spark where stdout, stderr and the
 * JVM's logging matter).
 */
class HardeningTest {
  @TempDir
  Path tmp;

  @BeforeAll
  static void session() {
    SparkTestSession.get();
  }

  /** bin/trt-spark in a new process, as a user's terminal sees it. */
  private Cli.Run launch(Map<String, String> env, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Repo.path("bin/trt-spark").toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.toFile());
    pb.environment().putAll(env);
    Path out = tmp.resolve("launch.out");
    Path err = tmp.resolve("launch.err");
    Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertTrue(p.waitFor(300, TimeUnit.SECONDS), "finished");
    return new Cli.Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
  }

  private static String bert() {
    return TestModels.path("tiny_bert.onnx").toString();
  }

  /** A tokenized table as a user has it: ids of varying length and a mask of ones. */
  private String tokens(String name, int rows) {
    String at = tmp.resolve(name).toString();
    SparkSession.active().range(rows).selectExpr("id",
        "transform(sequence(1, CAST(1 + id % 11 AS INT)), j -> CAST((id * 7 + j * 3) % 50 AS BIGINT)) AS ids",
        "transform(sequence(1, CAST(1 + id % 11 AS INT)), j -> CAST(1 AS BIGINT)) AS mask")
        .repartition(2).write().parquet(at);
    return at;
  }

  @Test
  void aTransformerRunsOnTheCpuWithEachRowCutToItsOwnLength() {
    String in = tokens("tokens", 40);
    String[] common = {"infer", "--model", bert(), "--input", in, "--bind", "input_ids=ids", "--bind",
        "attention_mask=mask"};
    String one = tmp.resolve("one").toString();
    String many = tmp.resolve("many").toString();
    String pooled = tmp.resolve("pooled").toString();
    Cli.Run a = run(concat(common, "--output", one, "--batch-size", "1"));
    assertEquals(0, a.code(), a.err());
    Cli.Run b = run(concat(common, "--output", many, "--batch-size", "16"));
    assertEquals(0, b.code(), b.err());
    Cli.Run c = run(concat(common, "--output", pooled, "--out", "pooler_output=p"));
    assertEquals(0, c.code(), c.err());
    String grouped = tmp.resolve("grouped").toString();
    Cli.Run d = run(concat(common, "--output", grouped, "--batch-size", "16", "--conf",
        "spark.trt.build.lengthBuckets=4,8"));
    assertEquals(0, d.code(), d.err());
    double padded = padding(b.out());
    double bucketed = padding(d.out());
    assertTrue(bucketed < padded && bucketed >= 1, "padding " + bucketed + " with buckets, " + padded + " without");
    List<Row> x = SparkSession.active().read().parquet(one).orderBy("id").collectAsList();
    List<Row> y = SparkSession.active().read().parquet(many).orderBy("id").collectAsList();
    List<Row> g = SparkSession.active().read().parquet(grouped).orderBy("id").collectAsList();
    List<Row> z = SparkSession.active().read().parquet(pooled).orderBy("id").collectAsList();
    assertEquals(40, x.size());
    for (int i = 0; i < 40; i++) {
      int tokens = 1 + i % 11;
      float[] h1 = Cli.floats(x.get(i).getList(x.get(i).fieldIndex("last_hidden_state")));
      float[] h2 = Cli.floats(y.get(i).getList(y.get(i).fieldIndex("last_hidden_state")));
      assertEquals(tokens * 16, h1.length, "row " + i + ": its own length x 16");
      assertArrayEquals(h1, h2, 2e-4f, "row " + i + " does not depend on its batch");
      assertArrayEquals(h1, Cli.floats(g.get(i).getList(g.get(i).fieldIndex("last_hidden_state"))), 2e-4f,
          "row " + i + " grouped by length");
      assertArrayEquals(Cli.floats(x.get(i).getList(x.get(i).fieldIndex("pooler_output"))),
          Cli.floats(z.get(i).getList(z.get(i).fieldIndex("p"))), 2e-4f, "pooled alone, row " + i);
    }
  }

  /** The padding ratio the job printed ("padding=1.84x"). */
  private static double padding(String out) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("padding=([0-9.]+)x").matcher(out);
    assertTrue(m.find(), "no padding= in " + out);
    return Double.parseDouble(m.group(1));
  }

  @Test
  void overwriteNeverDestroysAnInputOrTheModel() throws Exception {
    Path data = tmp.resolve("data");
    Path table = data.resolve("t.parquet");
    SparkSession.active().read().parquet(DIGITS_PARQUET).limit(50).write().parquet(table.toString());
    Path model = tmp.resolve("m.onnx");
    Files.copy(Digits.onnx(), model);
    Path link = tmp.resolve("link");
    Files.createSymbolicLink(link, table);
    String[][] unsafe = {
        {data.toString(), "contains --input"},
        {link.toString(), "is --input"},
        {model.toString(), "is --model"},
        {table.resolve("sub").toString(), "lies inside --input"},
    };
    for (String[] u : unsafe) {
      Cli.Run r = run("infer", "--model", model.toString(), "--input", table.toString(), "--output", u[0], "--bind",
          "features=features", "--overwrite");
      assertEquals(2, r.code(), r.err());
      assertTrue(r.err().startsWith("trt-spark infer: --output " + u[0] + " " + u[1]), r.err());
    }
    assertEquals(50, SparkSession.active().read().parquet(table.toString()).count(), "the input is intact");
    assertEquals(Files.size(Digits.onnx()), Files.size(model), "the model is intact");
  }

  @Test
  void stagingFoldersOfKilledJobsAreRemovedByTheNextSuccessfulJob() throws Exception {
    Path stale = tmp.resolve(".scored._trt_0f0f0f0f-dead-job");
    Files.createDirectories(stale.resolve("_temporary"));
    Files.setLastModifiedTime(stale, FileTime.fromMillis(System.currentTimeMillis() - 3_600_000));
    Path other = tmp.resolve(".other._trt_1234");
    Files.createDirectories(other);
    Files.setLastModifiedTime(other, FileTime.fromMillis(System.currentTimeMillis() - 3_600_000));
    Cli.Run r = run("infer", "--model", DIGITS_ONNX, "--input", DIGITS_PARQUET, "--output",
        tmp.resolve("scored").toString(), "--bind", "features=features");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("removed file:" + stale + ", left by an earlier job that did not finish"), r.out());
    assertFalse(Files.exists(stale));
    assertTrue(Files.exists(other), "another output's staging folder is not ours to judge");
  }

  @Test
  void aJobKilledWithSigkillLeavesNoOutputAndTheNextJobRemovesItsStagingFolder() throws Exception {
    String in = tokens("many-tokens", 20_000);
    Path out = tmp.resolve("scored");
    List<String> cmd = List.of(Repo.path("bin/trt-spark").toString(), "infer", "--model", bert(), "--input", in,
        "--output", out.toString(), "--bind", "input_ids=ids", "--bind", "attention_mask=mask", "--batch-size", "1");
    Process p = new ProcessBuilder(cmd).directory(tmp.toFile()).redirectErrorStream(true)
        .redirectOutput(tmp.resolve("killed.log").toFile()).start();
    Path staging = null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (staging == null && p.isAlive() && System.nanoTime() < deadline) {
      try (Stream<Path> s = Files.list(tmp)) {
        staging = s.filter(f -> f.getFileName().toString().startsWith(".scored._trt_")).findFirst().orElse(null);
      }
      Thread.sleep(50);
    }
    assertTrue(staging != null, "the job started writing: " + Files.readString(tmp.resolve("killed.log")));
    Thread.sleep(500);
    p.destroyForcibly();  // SIGKILL: no shutdown hook, no cleanup
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    assertTrue(Files.exists(staging), "kill -9 leaves the staging folder behind");
    assertFalse(Files.exists(out), "and no output");
    Cli.Run next = run("infer", "--model", bert(), "--input", in, "--output", out.toString(), "--bind", "input_ids=ids",
        "--bind", "attention_mask=mask", "--out", "pooler_output=p");
    assertEquals(0, next.code(), next.err());
    assertTrue(next.out().contains("removed file:" + staging + ", left by an earlier job that did not finish"), next.out());
    assertFalse(Files.exists(staging));
    assertEquals(20_000, SparkSession.active().read().parquet(out.toString()).count());
  }

  @Test
  void aFailedRenameKeepsTheOldOutput() throws Exception {
    Path target = tmp.resolve("out");
    Files.createDirectories(target);
    Files.writeString(target.resolve("old.parquet"), "old");
    Path staging = tmp.resolve(".new-staging");
    Files.createDirectories(staging);
    Files.writeString(staging.resolve("new.parquet"), "new");
    org.apache.hadoop.fs.FileSystem fs = new org.apache.hadoop.fs.RawLocalFileSystem() {
      @Override
      public boolean rename(org.apache.hadoop.fs.Path src, org.apache.hadoop.fs.Path dst) throws java.io.IOException {
        // the store refuses to move the new output into place (permissions, an object store's limits)
        return !src.getName().equals(".new-staging") && super.rename(src, dst);
      }
    };
    fs.initialize(java.net.URI.create("file:///"), new org.apache.hadoop.conf.Configuration());
    dev.trtspark.engine.EngineException e = org.junit.jupiter.api.Assertions.assertThrows(
        dev.trtspark.engine.EngineException.class, () -> InferCommand.replace(fs,
            new org.apache.hadoop.fs.Path("file:" + staging), new org.apache.hadoop.fs.Path("file:" + target), "out"));
    assertTrue(e.getMessage().endsWith("; the old output is unchanged"), e.getMessage());
    assertEquals("old", Files.readString(target.resolve("old.parquet")), "the old output is back in place");
  }

  @Test
  void globsRelativeFileUrisAndSparkOptionsWork() throws Exception {
    Path table = tmp.resolve("parts");
    SparkSession.active().read().parquet(DIGITS_PARQUET).repartition(3).write().parquet(table.toString());
    List<String> parts;
    try (Stream<Path> s = Files.list(table)) {
      parts = s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("part-")).sorted().toList();
    }
    assertEquals(3, parts.size());
    String glob = table + "/part-0000[01]*.parquet";
    Cli.Run r = run("infer", "--model", DIGITS_ONNX, "--input", glob, "--output", tmp.resolve("g").toString(),
        "--bind", "features=features", "--conf", "spark.sql.shuffle.partitions=3", "--conf", "batchSize=64");
    assertEquals(0, r.code(), r.err());
    long expected = SparkSession.active().read().parquet(table.resolve(parts.get(0)).toString(),
        table.resolve(parts.get(1)).toString()).count();
    assertTrue(r.out().contains("rows out: " + expected + "\n"), r.out());
    assertEquals("3", SparkSession.active().conf().get("spark.sql.shuffle.partitions"));
    Path cwd = Path.of("").toAbsolutePath();
    String relative = "file:" + cwd.relativize(Digits.onnx());
    Cli.Run rel = run("infer", "--model", relative, "--input", DIGITS_PARQUET, "--output",
        tmp.resolve("rel").toString(), "--bind", "features=features");
    assertEquals(0, rel.code(), rel.err());
    Cli.Run s3 = run("infer", "--model", DIGITS_ONNX, "--input", "s3a://bucket/table", "--output",
        tmp.resolve("s3").toString(), "--bind", "features=features");
    assertEquals(2, s3.code(), s3.err());
    assertTrue(s3.err().startsWith("trt-spark infer: no Hadoop FileSystem for s3a:// on the classpath"), s3.err());
    assertTrue(s3.err().contains("add org.apache.hadoop:hadoop-aws:"), s3.err());
  }

  @Test
  void exitCodesTellBadArgumentsFromFailedJobs() throws Exception {
    String out = tmp.resolve("o").toString();
    String[] base = {"infer", "--model", DIGITS_ONNX, "--input", DIGITS_PARQUET, "--output", out,
        "--bind", "features=features"};
    assertEquals(2, run(concat(base, "--batch-size", "0")).code());
    assertEquals(2, run(concat(base, "--conf", "badRowPolicy=sometimes")).code());
    assertEquals(2, run(concat(base, "--conf", "spark.trt.noSuchKey=1")).code());
    assertEquals(2, run(concat(base, "--conf", "novalue")).code());
    assertEquals(2, run("infer", "--model", DIGITS_ONNX, "--input", tmp.resolve("missing").toString(),
        "--output", out, "--bind", "features=features").code());
    assertEquals(2, run(concat(base, "--bind", "extra=label")).code());
    Files.createDirectories(Path.of(out));
    Cli.Run exists = run(base);
    assertEquals(2, exists.code());
    assertEquals("trt-spark infer: output " + out + " already exists; pass --overwrite to replace it\n"
        + "(run with --verbose for the stack trace)\n", exists.err());
    Path bad = tmp.resolve("bad.parquet");
    SparkSession.active().read().parquet(DIGITS_PARQUET)
        .selectExpr("id", "IF(id = 1500, NULL, features) AS features").repartition(1).write().parquet(bad.toString());
    Cli.Run failed = run("infer", "--model", DIGITS_ONNX, "--input", bad.toString(), "--output",
        tmp.resolve("never").toString(), "--bind", "features=features");
    assertEquals(1, failed.code(), failed.err());
    assertTrue(failed.err().matches("(?s)trt-spark infer: partition 0 \\(reading file:(//)?" + bad
        + "/part-00000-[^ ]*\\.parquet\\): column 'features' row 220 of batch 5 \\(partition row 1500\\) is null.*"),
        failed.err());
    Cli.Run nulls = run("infer", "--model", DIGITS_ONNX, "--input", bad.toString(), "--output",
        tmp.resolve("nulls").toString(), "--bind", "features=features", "--conf", "badRowPolicy=null");
    assertEquals(0, nulls.code(), nulls.err());
    assertTrue(nulls.out().contains("badRows=1 (null_row=1) "), nulls.out());
  }

  @Test
  void theTensorRtBackendWithoutAGpuFailsOnTheDriverAtOnce() {
    assumeFalse(Engines.gpuProbe().usable(), "this host has a GPU");
    Cli.Run r = run("infer", "--model", DIGITS_ONNX, "--input", DIGITS_PARQUET, "--output",
        tmp.resolve("o").toString(), "--bind", "features=features", "--backend", "tensorrt");
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().startsWith("trt-spark infer: spark.trt.backend=tensorrt, but TensorRT cannot run here: "), r.err());
    assertFalse(Files.exists(tmp.resolve("o")));
  }

  @Test
  void aTerminalSeesOneParagraphAndEverythingPrinted() throws Exception {
    Cli.Run inspect = launch(Map.of(), "inspect", bert());
    assertEquals(0, inspect.code(), inspect.err());
    assertTrue(inspect.out().endsWith("  output pooler_output float32 [-1, 16]\n"), "flushed before exit: " + inspect.out());
    assertEquals("", inspect.err(), "no JVM or logging warnings");
    Path bad = tmp.resolve("bad.parquet");
    SparkSession.active().read().parquet(DIGITS_PARQUET)
        .selectExpr("id", "IF(id = 10, NULL, features) AS features").limit(100).repartition(1).write()
        .parquet(bad.toString());
    Cli.Run failed = launch(Map.of(), "infer", "--model", DIGITS_ONNX, "--input", bad.toString(), "--output",
        tmp.resolve("never").toString(), "--bind", "features=features");
    assertEquals(1, failed.code(), failed.err());
    List<String> lines = failed.err().lines().filter(l -> !l.isBlank() && !l.contains("[Stage ")).toList();
    assertTrue(lines.size() <= 4, "a short paragraph, not Spark's stack traces:\n" + failed.err());
    assertTrue(failed.err().contains("column 'features' row 10 of batch 0 (partition row 10) is null"), failed.err());
    assertFalse(failed.err().contains("\tat "), failed.err());
  }

  @Test
  void theLauncherSaysWhichJavaItNeeds() throws Exception {
    Path jdk = tmp.resolve("jdk25/bin");
    Files.createDirectories(jdk);
    Path java = jdk.resolve("java");
    Files.writeString(java, "#!/bin/sh\necho '    java.specification.version = 25' >&2\n");
    assertTrue(java.toFile().setExecutable(true));
    Cli.Run r = launch(Map.of("JAVA_HOME", tmp.resolve("jdk25").toString()), "inspect", bert());
    assertEquals(2, r.code());
    assertTrue(r.err().startsWith("trt-spark: needs Java 17 or 21 (Spark 4.2 supports those), and " + java
        + " is Java 25; set JAVA_HOME to a JDK 17 or 21"), r.err());
  }
}
