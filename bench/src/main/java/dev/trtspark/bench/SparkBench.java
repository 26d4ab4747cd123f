package dev.trtspark.bench;

import dev.trtspark.engine.cache.EngineCache;
import dev.trtspark.spark.TrtInference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * End-to-end Spark runs for the GPU host (see tools/bench/run-spark-bench.sh):
 * <ul>
 *   <li>{@code digits REPO_ROOT} scores the committed digits data on both backends and prints the accuracy;</li>
 *   <li>{@code parquet MODEL NAME WIDTH ROWS BATCH [RUNS]} writes ROWS rows of {@code array<float>} of WIDTH
 *       values to Parquet (once), then runs side by side, in rows per wall second and task-CPU-seconds per
 *       row: the identity job (the same scan, rows built by Spark, counted), the inference job on the
 *       columnar path, the same on the row path, and both jobs over a cached DataFrame of a quarter of the
 *       rows; the inference metrics per stage; GPU busy time (compute time / wall time).</li>
 *   <li>{@code lengths ONNX BACKEND ROWS BATCH BUCKETS [RUNS]}: a transformer on rows of 5 to 128 tokens, each
 *       batch padded to its longest row against rows grouped by length bucket, with the padding ratio.</li>
 * </ul>
 */
public final class SparkBench {
  private static final AtomicLong CPU_NANOS = new AtomicLong();
  /** Task run time (executorRunTime, ms) and its GC part (jvmGCTime) of the current job, summed over tasks. */
  private static final AtomicLong RUN_MS = new AtomicLong();
  private static final AtomicLong GC_MS = new AtomicLong();

  private SparkBench() {}

  public static void main(String[] args) throws Exception {
    SparkSession spark = SparkSession.builder().master(System.getProperty("bench.master", "local[16]"))
        .appName("trt-spark-bench").config("spark.ui.enabled", "false")
        // 16 tasks x 3 batches of 154 MB images stay pinned: keep them for reuse instead of re-pinning
        .config(dev.trtspark.conf.TrtConf.PINNED_POOL_MAX_BYTES.key(), "32g").getOrCreate();
    spark.sparkContext().addSparkListener(new SparkListener() {
      @Override
      public void onTaskEnd(SparkListenerTaskEnd end) {
        if (end.taskMetrics() != null) {
          CPU_NANOS.addAndGet(end.taskMetrics().executorCpuTime());
          RUN_MS.addAndGet(end.taskMetrics().executorRunTime());
          GC_MS.addAndGet(end.taskMetrics().jvmGCTime());
        }
      }
    });
    try {
      if (args[0].equals("digits")) {
        digits(spark, args[1]);
      } else if (args[0].equals("lengths")) {
        lengths(spark, args[1], args[2], Long.parseLong(args[3]), Integer.parseInt(args[4]), args[5],
            args.length > 6 ? Integer.parseInt(args[6]) : 3);
      } else {
        parquet(spark, args[0].equals("parquet-u8"), args[1], args[2], Integer.parseInt(args[3]), Long.parseLong(args[4]),
            Integer.parseInt(args[5]), args.length > 6 ? Integer.parseInt(args[6]) : 3);
      }
    } finally {
      spark.stop();
    }
  }

  private static void digits(SparkSession spark, String root) {
    Dataset<Row> df = spark.read().parquet(root + "/examples/digits/digits.parquet");
    for (String backend : new String[] {"onnxruntime", "tensorrt"}) {
      TrtInference inference = TrtInference.builder().model(root + "/examples/digits/digits.onnx")
          .input("features", "features").output("probs", "probs").backend(backend).build();
      long t0 = System.nanoTime();
      long correct = inference.transform(df).filter("array_position(probs, array_max(probs)) - 1 = label").count();
      System.out.printf("digits on %s: %d of %d correct (%.2f s); %s%n", backend, correct, df.count(),
          (System.nanoTime() - t0) / 1e9, inference.metrics().summary());
    }
    EngineCache.existing().ifPresent(cache -> System.out.println(cache.stats()));  // none on a cluster driver
  }

  /**
   * One model from Parquet: {@code u8} false, rows of {@code width} floats ({@code array<float>}); true,
   * rows of {@code width} uint8 values as a {@code binary} column (pseudo-random bytes: Parquet cannot
   * compress them, the worst case for the scan).
   */
  private static void parquet(SparkSession spark, boolean u8, String model, String name, int width, long rows, int batch,
      int runs) throws Exception {
    int cores = spark.sparkContext().defaultParallelism();
    String table = "/tmp/bench-data/" + name + "-" + rows;
    if (!Files.exists(Path.of(table))) {
      long t0 = System.nanoTime();
      String column = u8
          ? "substring(unhex(concat_ws('', transform(sequence(1, " + (width + 31) / 32 + "), i -> sha2(CAST(id * 1000003 + i "
              + "AS STRING), 256)))), 1, " + width + ") AS features"
          : "transform(sequence(1, " + width + "), i -> CAST(hash(id, i) / 2147483648D AS FLOAT)) AS features";
      spark.range(0, rows, 1, cores).selectExpr("id", column).write().parquet(table);
      System.out.printf(Locale.ROOT, "wrote %s (%d rows of %d %s) in %.1f s%n", table, rows, width, u8 ? "bytes" : "floats",
          (System.nanoTime() - t0) / 1e9);
    }
    if (runs == 0) {
      return; // only the table (tools/cluster/run-gpu-cluster.sh)
    }
    Dataset<Row> df = spark.read().parquet(table);
    String expected = u8 ? "binary" : "array<float>";
    if (!df.schema().apply("features").dataType().simpleString().equals(expected)) {
      throw new IllegalStateException(table + " holds " + df.schema().simpleString() + ", not " + expected + ": delete it");
    }
    TrtInference.Builder b = TrtInference.builder().model(model).input("input", "features").output("output", "scores")
        .backend("tensorrt").batchSize(batch).option("slotsPerEngine", Integer.toString(cores));
    TrtInference columnar = b.build();
    TrtInference onRows = b.option("columnarInput", "false").build();
    System.out.printf(Locale.ROOT, "%s: %d rows x %d %s, %s, batch %d, reads columnar: %b%n", name, rows, width,
        u8 ? "bytes (binary)" : "floats", spark.sparkContext().master(), batch, TrtInference.readsColumnar(df));
    columnar.transform(df.limit(2 * batch)).queryExecution().toRdd().count(); // loads the engine in this JVM
    printTableHeader();
    double identity = run("identity: scan, Spark builds the rows, count", runs, rows, 0,
        () -> ((org.apache.spark.sql.classic.Dataset<?>) df).queryExecution().toRdd().count());
    double c = run("inference, columnar path", runs, rows, identity,
        () -> columnar.transform(df).queryExecution().toRdd().count());
    // the same operator reached from SQL
    dev.trtspark.spark.sql.TrtSql.register(spark, name, columnar);
    df.createOrReplaceTempView(name + "_table");
    run("SQL: SELECT id, trt_predict('" + name + "', features) (the same operator, columnar)", runs, rows, identity,
        () -> ((org.apache.spark.sql.classic.Dataset<?>) spark.sql("SELECT id, trt_predict('" + name + "', features) AS "
            + "scores FROM " + name + "_table")).queryExecution().toRdd().count());
    String cm = columnar.metrics().summary();
    double r = run("inference, row path (columnarInput=false)", runs, rows, identity,
        () -> onRows.transform(df).queryExecution().toRdd().count());
    run("inference, columnar path again (slots all made by now)", runs, rows, identity,
        () -> columnar.transform(df).queryExecution().toRdd().count());
    Dataset<Row> cached = df.filter("id < " + rows / 4).cache();
    long quarter = cached.count();
    double ci = run("cached quarter: identity", runs, quarter, 0,
        () -> ((org.apache.spark.sql.classic.Dataset<?>) cached).queryExecution().toRdd().count());
    run("cached quarter: inference (row path: Spark's cache has no columnar arrays)", runs, quarter, ci,
        () -> columnar.transform(cached).queryExecution().toRdd().count());
    cached.unpersist(true);
    System.out.println("metrics, columnar path (" + runs + " runs + warm-up): " + cm);
    System.out.println("metrics, all inference jobs of the columnar inference: " + columnar.metrics().summary());
    System.out.println("metrics, row path: " + onRows.metrics().summary());
    System.out.printf(Locale.ROOT, "columnar %.0f rows/s, row path %.0f rows/s, identity %.0f rows/s%n", c, r, identity);
    EngineCache.existing().ifPresent(cache -> System.out.println(cache.stats()));  // none on a cluster driver
  }

  /**
   * A transformer (inputs input_ids and attention_mask, output pooler_output) on {@code rows} rows of
   * 5 to 128 tokens (uniform), on {@code backend}: per-batch padding (spark.trt.lengthBucketing=false)
   * against length buckets, both on the same plan (one profile per bucket).
   */
  private static void lengths(SparkSession spark, String onnx, String backend, long rows, int batch, String buckets,
      int runs) throws Exception {
    int cores = spark.sparkContext().defaultParallelism();
    String table = "/tmp/bench-data/tokens-" + rows + "-" + Integer.getInteger("bench.vocab", 8000);
    if (!Files.exists(Path.of(table))) {
      spark.range(0, rows, 1, cores).selectExpr("id", "5 + pmod(hash(id), 124) AS n")
          .selectExpr("id", "transform(sequence(1, n), i -> CAST(pmod(hash(id, i), " + Integer.getInteger("bench.vocab", 8000) + ") AS BIGINT)) AS ids",
              "array_repeat(CAST(1 AS BIGINT), n) AS mask").write().parquet(table);
    }
    Dataset<Row> df = spark.read().parquet(table);
    String min = "input_ids:1x1,attention_mask:1x1";
    String max = "input_ids:" + batch + "x128,attention_mask:" + batch + "x128";
    TrtInference.Builder b = TrtInference.builder().model(onnx).input("input_ids", "ids").input("attention_mask", "mask")
        .output("pooler_output", "pooled").backend(backend).batchSize(batch)
        .option("slotsPerEngine", Integer.toString(cores)).option("build.precision", "fp16,fp32")
        .option("build.minShapes", min).option("build.optShapes", max).option("build.maxShapes", max)
        .option("build.lengthBuckets", buckets);
    TrtInference grouped = b.build();
    TrtInference padded = b.option("lengthBucketing", "false").build();
    System.out.printf(Locale.ROOT, "%s on %s: %d rows of 5-128 tokens, %s, batch %d, buckets %s%n", onnx, backend, rows,
        spark.sparkContext().master(), batch, buckets);
    // builds or loads the plan once, then gives every task of both jobs its slot before anything is timed
    grouped.transform(df).queryExecution().toRdd().count();
    padded.transform(df).queryExecution().toRdd().count();
    printTableHeader();
    double identity = run("identity: scan, Spark builds the rows, count", runs, rows, 0,
        () -> ((org.apache.spark.sql.classic.Dataset<?>) df).queryExecution().toRdd().count());
    double p = run("inference, each batch padded to its longest row (lengthBucketing=false)", runs, rows, identity,
        () -> padded.transform(df).queryExecution().toRdd().count());
    double g = run("inference, rows grouped by length bucket", runs, rows, identity,
        () -> grouped.transform(df).queryExecution().toRdd().count());
    System.out.printf(Locale.ROOT, "padded: padding %.2fx; %s%n", padded.metrics().paddingRatio(),
        padded.metrics().summary());
    System.out.printf(Locale.ROOT, "grouped: padding %.2fx; %s%n", grouped.metrics().paddingRatio(),
        grouped.metrics().summary());
    System.out.printf(Locale.ROOT, "grouped / padded: %.2fx rows/s%n", g / p);
  }

  private static void printTableHeader() {
    System.out.println("| job | rows/s (wall) | task-CPU-us per row | vs identity | task s / GC s (last run) |");
    System.out.println("| --- | ---: | ---: | ---: | ---: |");
  }

  /** Median rows/s of {@code runs} runs; prints the table line. */
  private static double run(String label, int runs, long rows, double baseline, LongSupplier job) throws Exception {
    double[] rates = new double[runs];
    double[] cpu = new double[runs];
    double[] taskS = new double[runs];
    double[] gcS = new double[runs];
    for (int i = 0; i < runs; i++) {
      CPU_NANOS.set(0);
      RUN_MS.set(0);
      GC_MS.set(0);
      long t0 = System.nanoTime();
      long n = job.getAsLong();
      long wall = System.nanoTime() - t0;
      Thread.sleep(300);
      if (n != rows) {
        throw new IllegalStateException(label + ": " + n + " rows, expected " + rows);
      }
      rates[i] = n / (wall / 1e9);
      cpu[i] = CPU_NANOS.get() / 1e3 / n;
      taskS[i] = RUN_MS.get() / 1e3;
      gcS[i] = GC_MS.get() / 1e3;
    }
    java.util.Arrays.sort(rates);
    java.util.Arrays.sort(cpu);
    double rate = rates[runs / 2];
    System.out.printf(Locale.ROOT, "| %s | %,.0f | %.1f | %s | %.1f / %.1f |%n", label, rate, cpu[runs / 2],
        baseline > 0 ? String.format(Locale.ROOT, "%.0f %%", 100 * rate / baseline) : "", taskS[runs - 1], gcS[runs - 1]);
    return rate;
  }
}
