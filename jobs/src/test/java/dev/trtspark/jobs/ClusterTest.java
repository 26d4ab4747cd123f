package dev.trtspark.jobs;

import static dev.trtspark.jobs.Cli.DIGITS_ONNX;
import static dev.trtspark.jobs.Cli.DIGITS_PARQUET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.trtspark.spark.SparkTestSession;
import dev.trtspark.testing.Repo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.FileStatus;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * trt-spark on a real cluster on loopback ({@link LocalCluster}: a standalone Master, two Workers, HDFS),
 * through {@code SparkSubmit} with the spark-submit jar, on ONNX Runtime: the output equals local mode's
 * row for row; a killed executor costs no row and adds no duplicate; a killed driver leaves no visible
 * output. Runs in {@code mvn verify} after the jar is packaged (tag {@code cluster}); alone:
 * {@code tools/cluster/run-cluster-test.sh}.
 */
@Tag("cluster")
class ClusterTest {
  @TempDir
  static Path tmp;
  private static LocalCluster cluster;
  private static String hdfs;
  private static String jar;
  private static SparkSession spark;

  @BeforeAll
  static void start() throws Exception {
    Path target = Repo.path("jobs/target");
    try (var files = Files.list(target)) {
      jar = files.map(Path::toString).filter(f -> f.endsWith("-spark-submit.jar")).findFirst().orElseThrow(() ->
          new IllegalStateException("no spark-submit jar in " + target + ": run mvn package first"));
    }
    cluster = new LocalCluster(tmp.resolve("cluster"), 2);
    hdfs = cluster.hdfs();
    var fs = cluster.fileSystem();
    fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(DIGITS_ONNX),
        new org.apache.hadoop.fs.Path("/models/digits.onnx"));
    // 179,700 rows in 24 files: long enough to kill an executor while the job runs
    fs.mkdirs(new org.apache.hadoop.fs.Path("/out"));
    spark = SparkTestSession.get();
    Path local = tmp.resolve("digits-x100");
    spark.read().parquet(DIGITS_PARQUET)
        .crossJoin(spark.range(100).withColumnRenamed("id", "copy"))
        .selectExpr("monotonically_increasing_id() AS id", "features", "label", "copy").repartition(24)
        .write().parquet(local.toString());
    fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(local.toString()), new org.apache.hadoop.fs.Path("/data/digits"));
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static List<String> infer(String master, String output) {
    List<String> args = new ArrayList<>(List.of("--master", master, "--deploy-mode", "client",
        "--conf", "spark.executor.cores=1", "--conf", "spark.executor.memory=1g", "--conf", "spark.cores.max=2",
        "--conf", "spark.driver.host=127.0.0.1", "--conf", "spark.ui.enabled=false",
        // the model read from HDFS by each executor, not broadcast
        "--conf", "spark.trt.broadcast.maxBytes=0",
        // one task per file (24), so that executors run many tasks each
        "--conf", "spark.sql.files.maxPartitionBytes=1m",
        "--class", "dev.trtspark.jobs.Main", jar,
        "infer", "--model", hdfs + "/models/digits.onnx", "--input", hdfs + "/data/digits", "--output",
        hdfs + output, "--bind", "features=features", "--batch-size", "64", "--backend", "onnxruntime"));
    return args;
  }

  /** The row count, the distinct ids and a checksum over every column of the output. */
  private static String checksum(String output) {
    Row r = spark.read().parquet(hdfs + output).selectExpr("count(*)", "count(DISTINCT id)",
        "sum(CAST(xxhash64(*) AS DECIMAL(38, 0)))").collectAsList().get(0);
    return r.getLong(0) + " rows, " + r.getLong(1) + " distinct ids, checksum " + r.getDecimal(2);
  }

  private static long metric(String log, String name) {
    Matcher m = Pattern.compile(name + "=(\\d+)").matcher(log);
    assertTrue(m.find(), "no " + name + " in the job's output:\n" + log);
    return Long.parseLong(m.group(1));
  }

  private static String line(String log, String start) {
    return log.lines().filter(l -> l.startsWith(start)).findFirst().orElse("(no " + start.trim() + " line)");
  }

  private static String run(List<String> args, Path log) throws Exception {
    Process p = cluster.submit(log, args);
    assertTrue(p.waitFor(300, TimeUnit.SECONDS), "job finished in time");
    String out = Files.readString(log);
    assertEquals(0, p.exitValue(), out);
    return out;
  }

  /** The job's output in local mode through the same jar, run once: what every cluster run must give. */
  private static String localOutput;
  private static String localLog;

  private static synchronized String reference() throws Exception {
    if (localOutput == null) {
      String log = run(infer("local[2]", "/out/local"), tmp.resolve("local-job.log"));
      String output = checksum("/out/local");
      assertTrue(output.startsWith("179700 rows, 179700 distinct ids"), output);
      localLog = log;
      localOutput = output;
    }
    return localOutput;
  }

  @Test
  void aJobOnTheClusterGivesLocalModesRowsAndLoadsTheEngineOncePerExecutor() throws Exception {
    String onCluster = run(infer(cluster.master(), "/out/cluster"), tmp.resolve("cluster-job.log"));
    assertEquals(179_700, metric(onCluster, "rows"));
    assertEquals(reference(), checksum("/out/cluster"), "the same rows as local mode");
    long loads = metric(onCluster, "engineLoads");
    long hits = metric(onCluster, "engineCacheHits");
    assertTrue(loads >= 1 && loads <= 2, "one load per executor JVM (2 executors): " + loads);
    assertTrue(loads + hits >= 20, "many tasks, each after the first on its executor finding the engine loaded: "
        + loads + " loads, " + hits + " hits");
    assertTrue(localLog.contains("engineLoads=1"), localLog);
    System.out.printf("cluster: %s; local: %s; engine loads %d, cache hits %d; %s%n", checksum("/out/cluster"),
        reference(), loads, hits, line(onCluster, "stages: "));
  }

  @Test
  void aKilledExecutorCostsNoRowAndAddsNoDuplicate() throws Exception {
    // the clean run to compare with is local mode's: the test above shows a clean cluster run gives exactly that
    String clean = reference();
    Path log = tmp.resolve("killed.log");
    Process p = cluster.submit(log, infer(cluster.master(), "/out/killed"));
    // once tasks are running on both executors, kill one of them
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    List<ProcessHandle> executors = cluster.executors();
    while (executors.size() < 2 && System.nanoTime() < end) {
      Thread.sleep(200);
      executors = cluster.executors();
    }
    assertEquals(2, executors.size(), "two executors started");
    Thread.sleep(3000);
    assertTrue(p.isAlive(), "the job still runs when its executor is killed");
    long killedAt = System.nanoTime();
    executors.get(0).destroyForcibly();
    assertTrue(p.waitFor(300, TimeUnit.SECONDS), "the job finished after the kill");
    String out = Files.readString(log);
    assertEquals(0, p.exitValue(), out);
    assertEquals(clean, checksum("/out/killed"), "exactly the clean run's rows: none lost, none twice");
    long loads = metric(out, "engineLoads");
    assertTrue(loads <= 3, "one load per executor JVM, the replacement included: " + loads);
    System.out.printf("executor killed %.1f s before the job ended; clean run %s; engine loads %d%n",
        (System.nanoTime() - killedAt) / 1e9, clean, loads);
  }

  @Test
  void aKilledDriverLeavesNoVisibleOutput() throws Exception {
    Path log = tmp.resolve("driver.log");
    Process p = cluster.submit(log, infer(cluster.master(), "/out/driver"));
    var fs = cluster.fileSystem();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    boolean staging = false;
    while (!staging && System.nanoTime() < end && p.isAlive()) {
      for (FileStatus s : fs.listStatus(new org.apache.hadoop.fs.Path("/out"))) {
        staging |= s.getPath().getName().startsWith(".driver._trt_");
      }
      Thread.sleep(100);
    }
    assertTrue(staging, "the job started writing its staging folder");
    p.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
    p.waitFor(30, TimeUnit.SECONDS);
    assertFalse(fs.exists(new org.apache.hadoop.fs.Path("/out/driver")), "no output where the job was writing");
  }
}
