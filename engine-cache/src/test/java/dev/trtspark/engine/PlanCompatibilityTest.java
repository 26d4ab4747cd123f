package dev.trtspark.engine;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.trtspark.engine.model.ModelArtifact;
import dev.trtspark.engine.model.PlanCompatibility;
import dev.trtspark.engine.model.PlanMetadata;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Sidecar checks with crafted mismatches; no GPU needed, nothing reaches TensorRT. */
class PlanCompatibilityTest {
  private static final byte[] PLAN = {'f', 't', 'r', 't', 9, 9, 9};

  static PlanMetadata sidecar(String planSha, String trt, String cc, String precision) {
    return sidecar(planSha, trt, cc, precision, "false");
  }

  static PlanMetadata sidecar(String planSha, String trt, String cc, String precision, String versionCompatible) {
    return new PlanMetadata(PlanMetadata.FORMAT, trt, "NVIDIA H100 80GB HBM3", cc, planSha, "hdfs:///m/digits.onnx",
        "ab".repeat(32), Map.of("spark.trt.build.precision", precision, "spark.trt.build.versionCompatible", versionCompatible),
        List.of(new PlanMetadata.Tensor("features", "input", "float32", new long[] {-1, 64}, new long[] {1, 64},
            new long[] {256, 64}, new long[] {1024, 64})));
  }

  private static ModelArtifact plan(PlanMetadata m) {
    return ModelArtifact.of("hdfs:///m/digits.plan", PLAN, m);
  }

  private static final String SHA = ModelArtifact.sha256(PLAN);

  @Test
  void matchingSidecarPasses() {
    assertDoesNotThrow(() -> PlanCompatibility.check(plan(sidecar(SHA, "10.6.0", "9.0", "fp32")), "10.6.0",
        "NVIDIA H100 80GB HBM3", "9.0", Map.of()));
  }

  @Test
  void otherTensorRtVersionIsRefusedWithTheRebuildCommand() {
    EngineException e = assertThrows(EngineException.class, () -> PlanCompatibility.check(
        plan(sidecar(SHA, "10.8.0", "8.9", "fp16,fp32")), "10.6.0", "NVIDIA H100 80GB HBM3", "9.0", Map.of()));
    assertEquals("plan hdfs:///m/digits.plan cannot run here: it was built by TensorRT 10.8.0 and this executor runs "
        + "TensorRT 10.6.0; it was built for NVIDIA H100 80GB HBM3 (sm_89) and this executor's GPU is NVIDIA H100 80GB "
        + "HBM3 (sm_90). Rebuild it on this kind of executor: trt-spark build --onnx hdfs:///m/digits.onnx --output "
        + "hdfs:///m/digits.plan --fp16 --noTF32", e.getMessage());
  }

  @Test
  void theRebuildCommandKeepsTf32OnOrOffAsThePlanWasBuilt() {
    EngineException tf32 = assertThrows(EngineException.class, () -> PlanCompatibility.check(
        plan(sidecar(SHA, "10.8.0", "9.0", "fp32,tf32")), "10.6.0", "H100", "9.0", Map.of()));
    assertTrue(tf32.getMessage().endsWith("--output hdfs:///m/digits.plan --tf32"), tf32.getMessage());
    EngineException strict = assertThrows(EngineException.class, () -> PlanCompatibility.check(
        plan(sidecar(SHA, "10.8.0", "9.0", "fp32")), "10.6.0", "H100", "9.0", Map.of()));
    assertTrue(strict.getMessage().endsWith("--output hdfs:///m/digits.plan --noTF32"), strict.getMessage());
  }

  @Test
  void versionCompatiblePlanRunsOnALaterRuntimeOfTheSameMajor() {
    assertDoesNotThrow(() -> PlanCompatibility.check(plan(sidecar(SHA, "10.4.0", "9.0", "fp32", "true")), "10.6.0",
        "H100", "9.0", Map.of()));
    assertThrows(EngineException.class, () -> PlanCompatibility.check(plan(sidecar(SHA, "10.8.0", "9.0", "fp32", "true")),
        "10.6.0", "H100", "9.0", Map.of()));
  }

  @Test
  void sidecarOfAnotherPlanIsRefused() {
    EngineException e = assertThrows(EngineException.class, () -> PlanCompatibility.check(
        plan(sidecar("cd".repeat(32), "10.6.0", "9.0", "fp32")), "10.6.0", "H100", "9.0", Map.of()));
    assertEquals("plan hdfs:///m/digits.plan cannot run here: the sidecar describes another plan (sha256 " + "cd".repeat(32)
        + ", this plan's is " + SHA + "). Rebuild it on this kind of executor: trt-spark build --onnx hdfs:///m/digits.onnx "
        + "--output hdfs:///m/digits.plan --noTF32", e.getMessage());
  }

  @Test
  void explicitlyRequestedBuilderOptionMustMatch() {
    EngineException e = assertThrows(EngineException.class, () -> PlanCompatibility.check(
        plan(sidecar(SHA, "10.6.0", "9.0", "fp32")), "10.6.0", "H100", "9.0", Map.of("spark.trt.build.precision", "fp16")));
    assertEquals("plan hdfs:///m/digits.plan cannot run here: it was built with spark.trt.build.precision=fp32 but "
        + "spark.trt.build.precision=fp16 was asked for. Rebuild it on this kind of executor: trt-spark build --onnx "
        + "hdfs:///m/digits.onnx --output hdfs:///m/digits.plan --noTF32", e.getMessage());
  }

  @Test
  void planWithoutSidecarIsLeftToTensorRt() {
    assertDoesNotThrow(() -> PlanCompatibility.check(ModelArtifact.of("m.plan", PLAN, null), "10.6.0", "H100", "9.0",
        Map.of("spark.trt.build.precision", "fp16")));
  }

  @Test
  void sidecarRoundTripsThroughJson() {
    PlanMetadata m = sidecar(SHA, "10.6.0", "9.0", "fp32");
    PlanMetadata back = PlanMetadata.parse(m.toJson(), "test");
    assertEquals(m.toJson(), back.toJson());
  }
}
