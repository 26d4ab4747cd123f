package dev.trtspark.spark.bench;

import dev.trtspark.arrow.memory.TensorAllocators;
import dev.trtspark.engine.cache.EngineCache;
import dev.trtspark.engine.trt.Cuda;
import dev.trtspark.spark.InferenceMetrics;
import dev.trtspark.spark.TrtInference;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Soak on one executor: JOBS inference jobs of TASKS tasks each (local[16]: 16 concurrent tasks on one
 * GPU), each task ROWS rows of WIDTH generated floats through a plan. After every job: failures, engine
 * loads, device free memory, pinned memory live (the pool's), JVM heap used after a GC. Not a test: run it
 * on a GPU host (tools/gpu/run-memory-soak.sh).
 *
 * <p>usage: SoakBench PLAN WIDTH INPUT_TENSOR JOBS TASKS ROWS CSV
 */
public final class SoakBench {
  private SoakBench() {}

  public static void main(String[] args) throws Exception {
    String plan = args[0];
    int width = Integer.parseInt(args[1]);
    String tensor = args[2];
    int jobs = Integer.parseInt(args[3]);
    int tasks = Integer.parseInt(args[4]);
    int rows = Integer.parseInt(args[5]);
    SparkSession spark = SparkSession.builder().master(System.getProperty("bench.master", "local[16]"))
        .config("spark.ui.enabled", "false").getOrCreate();
    spark.sparkContext().setLogLevel("ERROR");
    Dataset<Row> df = spark.range(0, (long) tasks * rows, 1, tasks).selectExpr("id",
        "transform(sequence(1, " + width + "), i -> CAST(hash(id, i) / 2147483648D AS FLOAT)) AS features");
    long failures = 0;
    try (PrintWriter csv = new PrintWriter(Files.newBufferedWriter(Path.of(args[6])))) {
      csv.println("job,seconds,rows,failures,engine_loads_total,gpu_free_mib,pinned_live_mib,pinned_idle_mib,heap_used_mib");
      System.out.println("job  seconds      rows  failures  engine_loads  gpu_free_MiB  pinned_live_MiB  pinned_idle_MiB  heap_MiB");
      for (int job = 1; job <= jobs; job++) {
        TrtInference inference = TrtInference.builder().session(spark).model(plan).input(tensor, "features")
            .backend("tensorrt").build();
        long t0 = System.nanoTime();
        long got = 0;
        try {
          inference.transform(df).write().format("noop").mode("overwrite").save();
          got = inference.metrics().rows();
        } catch (RuntimeException e) {
          failures++;
          System.out.println("job " + job + " failed: " + e);
        }
        double s = (System.nanoTime() - t0) / 1e9;
        InferenceMetrics m = inference.metrics();
        System.gc();
        Thread.sleep(200);
        long heap = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
        long gpuFree = Cuda.memInfo(0)[0];
        var pool = TensorAllocators.existing().pool();
        long loads = EngineCache.existing().orElseThrow().stats().loads();
        String line = String.format(Locale.ROOT, "%d,%.2f,%d,%d,%d,%d,%d,%d,%d", job, s, got, failures, loads, gpuFree >> 20,
            pool.liveBytes() >> 20, pool.retainedBytes() >> 20, heap >> 20);
        csv.println(line);
        csv.flush();
        System.out.printf(Locale.ROOT, "%3d  %7.2f  %8d  %8d  %12d  %12d  %15d  %15d  %8d   (%s)%n", job, s, got, failures,
            loads, gpuFree >> 20, pool.liveBytes() >> 20, pool.retainedBytes() >> 20, heap >> 20, m.summary());
      }
    }
    System.out.println("failures: " + failures);
    spark.stop();
  }
}
