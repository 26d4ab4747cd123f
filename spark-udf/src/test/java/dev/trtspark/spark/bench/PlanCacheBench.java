package dev.trtspark.spark.bench;

import dev.trtspark.engine.Engines;
import dev.trtspark.spark.TrtInference;
import java.util.Locale;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * A job's start with an ONNX model on TensorRT, as a new session sees it: the time of a first, small job
 * (engine load included: a build, or a read of the plan cache). Run it twice in fresh JVMs with the same
 * cache directory to see the second session skip the build (tools/gpu/run-plan-cache.sh). Not a test.
 *
 * <p>usage: PlanCacheBench MODEL.onnx WIDTH INPUT_TENSOR CACHE_DIR PRECISION
 */
public final class PlanCacheBench {
  private PlanCacheBench() {}

  public static void main(String[] args) {
    SparkSession spark = SparkSession.builder().master("local[4]").config("spark.ui.enabled", "false").getOrCreate();
    spark.sparkContext().setLogLevel("ERROR");
    Dataset<Row> df = spark.range(0, 64, 1, 4).selectExpr("id",
        "transform(sequence(1, " + args[1] + "), i -> CAST(hash(id, i) / 2147483648D AS FLOAT)) AS features");
    df.cache().count();
    long t0 = System.nanoTime();
    TrtInference inference = TrtInference.builder().session(spark).model(args[0]).input(args[2], "features")
        .backend("tensorrt").option("planCache.dir", args[3]).option("build.precision", args[4])
        .option("build.maxBatch", "64").build();
    long rows = inference.transform(df).count();
    System.out.printf(Locale.ROOT, "first job with %s on TensorRT, plan cache %s: %.1f s for %d rows (plans built in this "
        + "JVM: %d; %s)%n", args[0], args[3], (System.nanoTime() - t0) / 1e9, rows, Engines.plansBuilt(),
        inference.metrics().summary());
    spark.stop();
  }
}
