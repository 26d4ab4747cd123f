package dev.trtspark.spark;

import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;

/** One real local Spark session for the module's tests: 4 cores, tasks retried up to 3 times. */
final class SparkTestSession {
  private static SparkSession spark;

  private SparkTestSession() {}

  static synchronized SparkSession get() {
    if (spark == null) {
      spark = SparkSession.builder().master("local[4,3]").appName("trt-spark-tests")
          .config("spark.ui.enabled", "false")
          .config("spark.sql.shuffle.partitions", "4")
          .config("spark.trt.backend", "onnxruntime")
          .getOrCreate();
    }
    return spark;
  }

  static Path repoRoot() {
    return Path.of(System.getProperty("trt.repo.root", "..")).toAbsolutePath().normalize();
  }

  static String model(String file) {
    return repoRoot().resolve("engine-cache/src/test/resources/models").resolve(file).toString();
  }

  static String digits(String file) {
    return repoRoot().resolve("examples/digits").resolve(file).toString();
  }
}
