package dev.trtspark.spark;

import org.apache.spark.sql.SparkSession;

/**
 * The one local Spark session of a test JVM, shared by spark-udf's tests and (through this module's
 * test-jar) by jobs' tests: 4 cores, a failed task retried up to 3 times, no UI, 4 shuffle partitions,
 * and the ONNX Runtime backend unless a test asks for another, so that results do not depend on the
 * host having a GPU. Created on first use; no test stops it (Spark stops with the JVM), so tests run in
 * any order. A test that needs other SQL settings takes {@code get().newSession()}, which shares the
 * context and leaves this session's settings alone.
 */
public final class SparkTestSession {
  private static SparkSession spark;

  private SparkTestSession() {}

  /** The shared session, created on first call. */
  public static synchronized SparkSession get() {
    if (spark == null) {
      spark = SparkSession.builder().master("local[4,3]").appName("trt-spark-tests")
          .config("spark.ui.enabled", "false")
          .config("spark.sql.shuffle.partitions", "4")
          .config("spark.trt.backend", "onnxruntime")
          .getOrCreate();
    }
    return spark;
  }
}
