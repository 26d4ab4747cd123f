package dev.trtspark.spark.bench;

import dev.trtspark.spark.TrtInference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.SparkPlan;

/**
 * The executor path against Spark's own cost, side by side in one JVM, in rows per task-CPU-second
 * (Spark's executorCpuTime summed over the job's tasks) and rows per wall second:
 * <ol>
 *   <li>decode floor: the Parquet scan's columnar batches, nothing else;</li>
 *   <li>identity job: the same rows through Spark's ColumnarToRow (what any row-based job pays);</li>
 *   <li>row path: inference with {@code spark.trt.columnarInput=false};</li>
 *   <li>columnar path: inference on the scan's batches (the default).</li>
 * </ol>
 * usage: {@code ColumnarBench WORK_DIR WIDTH ROWS MODEL.onnx [RUNS] [MASTER]}; the model takes
 * {@code [N, WIDTH]} float32 (tools/bench/slice_model.py writes a near-free one). Run by
 * tools/bench/run-columnar-bench.sh.
 */
public final class ColumnarBench {
  private ColumnarBench() {}

  public static void main(String[] args) throws Exception {
    Path work = Path.of(args[0]);
    int width = Integer.parseInt(args[1]);
    long rows = Long.parseLong(args[2]);
    String model = args[3];
    int runs = args.length > 4 ? Integer.parseInt(args[4]) : 3;
    String master = args.length > 5 ? args[5] : "local[1]";
    SparkSession spark = SparkSession.builder().master(master).appName("trt-spark columnar bench")
        .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "1").getOrCreate();
    AtomicLong cpuNanos = new AtomicLong();
    spark.sparkContext().addSparkListener(new SparkListener() {
      @Override
      public void onTaskEnd(SparkListenerTaskEnd end) {
        if (end.taskMetrics() != null) {
          cpuNanos.addAndGet(end.taskMetrics().executorCpuTime());
        }
      }
    });
    try {
      String table = work.resolve("floats-" + width + "-" + rows).toString();
      if (!Files.exists(Path.of(table))) {
        int files = Math.max(1, spark.sparkContext().defaultParallelism());
        // distinct, hash-derived values: no dictionary pages, as with real features or pixels
        spark.range(0, rows, 1, files).selectExpr("id", "transform(sequence(1, " + width + "), i -> CAST(hash(id, i) / 2147483648D AS "
            + "FLOAT)) AS features").write().parquet(table);
      }
      TrtInference columnar = TrtInference.builder().session(spark).model(model).input("input", "features")
          .output("output", "first").batchSize(256).build();
      TrtInference onRows = TrtInference.builder().session(spark).model(model).input("input", "features")
          .output("output", "first").batchSize(256).option("columnarInput", "false").build();
      Dataset<Row> df = spark.read().parquet(table);
    if (!df.schema().apply("features").dataType().simpleString().equals("array<float>")) {
      throw new IllegalStateException(table + " holds " + df.schema().simpleString() + ", not array<float>: delete it");
    }
      if (!TrtInference.readsColumnar(df)) {
        throw new IllegalStateException("the scan is not columnar: " + df.queryExecution().executedPlan());
      }
      SparkPlan scan = ((org.apache.spark.sql.classic.Dataset<?>) df).queryExecution().executedPlan();
      List<String[]> variants = List.of(
          new String[] {"decode floor: Parquet to columnar batches"},
          new String[] {"identity job: the same rows through ColumnarToRow"},
          new String[] {"inference, row path (spark.trt.columnarInput=false)"},
          new String[] {"inference, columnar path (default)"});
      List<LongSupplier> jobs = List.of(
          () -> columnarRows(scan),
          () -> ((org.apache.spark.sql.classic.Dataset<?>) df).queryExecution().toRdd().count(),
          () -> onRows.transform(df).queryExecution().toRdd().count(),
          () -> columnar.transform(df).queryExecution().toRdd().count());
      System.out.printf(Locale.ROOT, "width %d, %d rows, %s, %d runs (medians)%n", width, rows, master, runs);
      System.out.printf(Locale.ROOT, "| variant | rows per task-CPU-second | rows per wall second | vs decode floor (CPU) |%n"
          + "| --- | ---: | ---: | ---: |%n");
      double floor = 0;
      for (int v = 0; v < jobs.size(); v++) {
        jobs.get(v).getAsLong(); // warm-up: class loading, codegen, engine load
        List<Double> cpu = new ArrayList<>();
        List<Double> wall = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
          cpuNanos.set(0);
          long t0 = System.nanoTime();
          long n = jobs.get(v).getAsLong();
          long elapsed = System.nanoTime() - t0;
          Thread.sleep(200); // task-end events arrive asynchronously
          if (n != rows) {
            throw new IllegalStateException(variants.get(v)[0] + " saw " + n + " rows, expected " + rows);
          }
          cpu.add(n / (cpuNanos.get() / 1e9));
          wall.add(n / (elapsed / 1e9));
        }
        double c = median(cpu);
        floor = v == 0 ? c : floor;
        System.out.printf(Locale.ROOT, "| %s | %,.0f | %,.0f | %.0f %% |%n", variants.get(v)[0], c, median(wall),
            100 * c / floor);
      }
      System.out.println("metrics (columnar path, all runs): " + columnar.metrics().summary());
      System.out.println("metrics (row path, all runs): " + onRows.metrics().summary());
    } finally {
      spark.stop();
    }
  }

  private static long columnarRows(SparkPlan plan) {
    SparkPlan p = plan;
    while (!(p instanceof org.apache.spark.sql.execution.FileSourceScanExec)) {
      p = p.children().head();
    }
    return p.executeColumnar().toJavaRDD().map(b -> (long) b.numRows()).fold(0L, Long::sum);
  }

  private static double median(List<Double> xs) {
    List<Double> s = new ArrayList<>(xs);
    Collections.sort(s);
    return s.get(s.size() / 2);
  }
}
