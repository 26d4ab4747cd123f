package dev.trtspark.spark.bench;

import dev.trtspark.engine.cache.EngineCache;
import dev.trtspark.spark.TrtInference;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * End-to-end Spark runs for the GPU host (see tools/bench/run-spark-bench.sh):
 * {@code digits REPO_ROOT} scores the committed digits data and prints the accuracy;
 * {@code resnet MODEL.onnx ROWS} runs ResNet-50 over an in-memory DataFrame of ROWS images
 * ({@code array<float>} of 3x224x224, generated per row) and prints rows/s next to the same job with an
 * identity function in place of inference (what Spark itself costs).
 */
public final class SparkBench {
  private SparkBench() {}

  public static void main(String[] args) {
    SparkSession spark = SparkSession.builder().master(System.getProperty("bench.master", "local[8]"))
        .appName("trt-spark-bench").config("spark.ui.enabled", "false")
        // 8 tasks x 3 batches of 154 MB images stay pinned: keep them for reuse instead of re-pinning
        .config("spark.trt.pinnedPool.maxBytes", "24g").getOrCreate();
    try {
      if (args[0].equals("digits")) {
        digits(spark, args[1]);
      } else {
        resnet(spark, args[1], Long.parseLong(args[2]), args.length > 3 ? args[3] : "fp16,fp32");
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
    System.out.println(EngineCache.get(0).stats());
  }

  private static void resnet(SparkSession spark, String onnx, long rows, String precision) {
    int partitions = spark.sparkContext().defaultParallelism() * 2;
    Dataset<Row> images = spark.range(0, rows, 1, partitions)
        .selectExpr("id", "array_repeat(CAST((id % 251) / 251.0 AS FLOAT), 150528) AS image");
    TrtInference inference = TrtInference.builder().model(onnx).input("input", "image").output("output", "scores")
        .backend("tensorrt").batchSize(256).option("build.precision", precision).option("build.maxBatch", "256")
        .option("build.optBatch", "256").option("batchesInFlight", "2")
        .option("slotsPerEngine", Integer.toString(spark.sparkContext().defaultParallelism()))
        .build();
    // warm-up: builds the engine in this JVM (once) and touches every code path
    inference.transform(images.limit(512)).selectExpr("element_at(scores, 1)").count();
    for (int run = 0; run < 2; run++) {
      long t0 = System.nanoTime();
      long n = images.selectExpr("id", "element_at(image, 1) AS first").filter("first >= 0").count();
      double identity = n / ((System.nanoTime() - t0) / 1e9);
      t0 = System.nanoTime();
      long m = inference.transform(images).selectExpr("id", "element_at(scores, 1) AS s").filter("s IS NOT NULL").count();
      double trt = m / ((System.nanoTime() - t0) / 1e9);
      System.out.printf("resnet50 %s, %d rows, %d partitions: identity job %.0f rows/s, inference job %.0f rows/s%n",
          precision, n, partitions, identity, trt);
    }
    System.out.println("metrics: " + inference.metrics().summary());
    System.out.println(EngineCache.get(0).stats());
  }
}
