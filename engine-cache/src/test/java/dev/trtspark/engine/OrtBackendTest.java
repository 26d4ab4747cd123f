package dev.trtspark.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.trtspark.engine.backend.Engine;
import dev.trtspark.engine.backend.ExecutionSlot;
import dev.trtspark.engine.model.ArtifactLoader;
import dev.trtspark.engine.ort.OrtBackend;
import dev.trtspark.engine.tensor.DType;
import dev.trtspark.engine.tensor.HostTensor;
import dev.trtspark.testing.Digits;
import dev.trtspark.testing.TestModels;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The ONNX Runtime backend on every fixture, against expectations computed in Java. */
class OrtBackendTest {
  private final BackendConformance conformance = new BackendConformance(new OrtBackend(), -1);

  @Test
  void identityAndAffineModelsComputeTheirFunctions() {
    conformance.identityAndAffine();
  }

  @Test
  void twoInputsGiveTwoOutputs() {
    conformance.twoInputsTwoOutputs();
  }

  @Test
  void float16TensorsRoundTrip() {
    conformance.float16();
  }

  @Test
  void int32AndInt64TensorsRoundTrip() {
    conformance.int32AndInt64();
  }

  @Test
  void boolAndUint8TensorsRoundTrip() {
    conformance.boolAndUint8();
  }

  @Test
  void multiDimensionalInputIsReducedPerPlane() {
    conformance.multiDimensionalInput();
  }

  @Test
  void secondDimensionMayChangeBetweenBatches() {
    conformance.variableLength(BackendConformance.config());
  }

  @Test
  void perRowScalarOutputHasRankOne() {
    conformance.scalarPerRowOutput();
  }

  @Test
  void batchLargerThanTheProfileIsSplitTransparently() {
    conformance.splitsBatchesLargerThanTheProfile();
  }

  @Test
  void digitsModelReachesTheRecordedAccuracy() throws Exception {
    try (Engine engine = new OrtBackend().load(ArtifactLoader.load(Digits.onnx().toString()), -1,
            BackendConformance.config());
        ExecutionSlot slot = engine.newSlot(1)) {
      assertEquals(1781, conformance.digitsCorrect(slot));
    }
  }

  @Test
  void signatureListsTensorsWithTypesAndShapes() {
    try (Engine engine = new OrtBackend().load(Fixtures.artifact("two_in_two_out.onnx"), -1, BackendConformance.config())) {
      assertEquals("input a float32 [-1, 3] profile [1x3]..[1024x3]", engine.signature().inputs().get(0).toString());
      assertEquals("output prod float32 [-1, 3]", engine.signature().outputs().get(1).toString());
      assertEquals(DType.FLOAT32, engine.signature().require("sum", false).dataType());
      assertEquals("CPU", engine.deviceDescription());
    }
  }

  @Test
  void shapeOutsideTheProfileNamesTheAllowedRange() {
    var config = BackendConformance.config("build.minShapes", "x:1x1", "build.maxShapes", "x:64x8");
    try (Engine engine = new OrtBackend().load(Fixtures.artifact("seq_sum.onnx"), -1, config);
        ExecutionSlot slot = engine.newSlot(1)) {
      EngineException e = assertThrows(EngineException.class,
          () -> BackendConformance.run(slot, Map.of("x", Fixtures.floats(new float[2 * 9], 2, 9))));
      assertTrue(e.getMessage().startsWith("input x of model " + TestModels.path("seq_sum.onnx")
          + ": dimension 1 is 9, allowed 1..8 (shape [2x9], profile [1x1]..[64x8])"), e.getMessage());
    }
  }

  @Test
  void missingInputAndWrongRankAreNamed() {
    try (Engine engine = new OrtBackend().load(Fixtures.artifact("two_in_two_out.onnx"), -1, BackendConformance.config());
        ExecutionSlot slot = engine.newSlot(1)) {
      HostTensor a = Fixtures.floats(new float[6], 2, 3);
      EngineException missing = assertThrows(EngineException.class, () -> slot.submit(Map.of("a", a), Map.of()));
      assertTrue(missing.getMessage().contains("needs input 'b', which is not bound; the bound inputs are [a]"), missing.getMessage());
      HostTensor flat = Fixtures.floats(new float[6], 6);
      EngineException rank = assertThrows(EngineException.class,
          () -> slot.submit(Map.of("a", flat, "b", flat), Map.of()));
      assertTrue(rank.getMessage().contains("has rank 2 [-1x3], got shape [6]"),
          rank.getMessage());
    }
  }

  @Test
  void outputBufferTooSmallIsRefusedBeforeRunning() {
    try (Engine engine = new OrtBackend().load(Fixtures.artifact("identity_f32.onnx"), -1, BackendConformance.config());
        ExecutionSlot slot = engine.newSlot(1)) {
      HostTensor x = Fixtures.floats(new float[8], 2, 4);
      HostTensor small = HostTensor.of(Fixtures.direct(16), null);
      EngineException e = assertThrows(EngineException.class, () -> slot.submit(Map.of("x", x), Map.of("y", small)));
      assertEquals("output y of shape [2x4] needs 32 bytes, the buffer holds 16", e.getMessage());
    }
  }

  @Test
  void unknownOutputNameListsTheModelsOutputs() {
    try (Engine engine = new OrtBackend().load(Fixtures.artifact("identity_f32.onnx"), -1, BackendConformance.config());
        ExecutionSlot slot = engine.newSlot(1)) {
      HostTensor x = Fixtures.floats(new float[4], 1, 4);
      EngineException e = assertThrows(EngineException.class,
          () -> slot.submit(Map.of("x", x), Map.of("z", HostTensor.of(Fixtures.direct(16), null))));
      assertTrue(e.getMessage().endsWith("has no output tensor 'z'; its outputs are [y]"), e.getMessage());
    }
  }

  @Test
  void enginesOfOneOnnxModelWithOtherShapeRangesAreNotShared() {
    var model = Fixtures.artifact("seq_sum.onnx");
    var narrow = BackendConformance.config("backend", "onnxruntime", "build.minShapes", "x:1x12", "build.optShapes", "x:8x12",
        "build.maxShapes", "x:8x12");
    var open = BackendConformance.config("backend", "onnxruntime");
    try (var a = Engines.lease(model, -1, narrow); var b = Engines.lease(model, -1, open)) {
      assertEquals(12, a.signature().inputs().get(0).max()[1]);
      assertEquals(dev.trtspark.engine.tensor.TensorInfo.UNBOUNDED, b.signature().inputs().get(0).max()[1],
          "a later inference with other ranges gets its own engine, not the first one's");
    } finally {
      dev.trtspark.engine.cache.EngineCache.resetForTests();
    }
  }
}
