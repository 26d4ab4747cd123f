package dev.trtspark.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.trtspark.engine.Engines;
import dev.trtspark.engine.cache.EngineCache;
import dev.trtspark.testing.Digits;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The DataFrame API with the TensorRT backend on a real GPU: same accuracy as on the CPU, one engine per JVM. */
@Tag("gpu")
class TrtInferenceGpuTest {
  @BeforeAll
  static void needsGpu() {
    assumeTrue(Engines.gpuProbe().usable(), "skipped: no usable GPU with TensorRT here (" + Engines.gpuProbe().problem() + ")");
  }

  @Test
  void digitsOnTensorRtMatchTheCpuAccuracyAndLoadOneEngine() {
    EngineCache.resetForTests();
    Dataset<Row> digits = SparkTestSession.get().read().parquet(Digits.parquet().toString()).repartition(8);
    TrtInference inference = TrtInference.builder().model(Digits.onnx().toString()).backend("tensorrt")
        .option("build.precision", "fp32").input("features", "features").output("probs", "probs").batchSize(64).build();
    for (int job = 0; job < 2; job++) {
      assertEquals(1781, inference.transform(digits).filter("array_position(probs, array_max(probs)) - 1 = label").count());
    }
    System.out.println("digits on TensorRT through Spark: " + inference.metrics().summary() + "; " + EngineCache.existing().orElseThrow().stats());
    assertEquals(0, EngineCache.existing().map(c -> c.stats().slotsInUse()).orElse(0));
    // local mode: no GPU scheduling, tasks round-robin over the visible GPUs by partition; each slot's
    // buffers are on the device the driver reports, and the engine loaded once per device used
    String gpus = inference.metrics().placementSummary();
    System.out.println("placements: " + gpus);
    long devices = inference.metrics().placements().stream().mapToInt(InferenceMetrics.Placed::cudaDevice).distinct()
        .count();
    assertEquals(Math.min(8, dev.trtspark.engine.Engines.gpuProbe().devices()), devices, gpus);
    assertEquals(devices, inference.metrics().engineLoads(), "one load per device: " + gpus);
    assertTrue(gpus.startsWith("exec driver cuda:0 tasks="), gpus);
    assertTrue(gpus.endsWith("(tasks off their GPU: 0)"), gpus);
    assertTrue(inference.metrics().placements().stream().allMatch(p -> p.cudaDevice() >= 0), gpus);
  }
}
