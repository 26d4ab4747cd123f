package dev.trtspark.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.trtspark.conf.Backend;
import dev.trtspark.engine.model.ModelKind;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Backend choice where no GPU is usable (CI); the GPU side is covered by TrtBackendGpuTest. */
class BackendChoiceTest {
  @BeforeEach
  void onlyWithoutGpu() {
    assumeFalse(Engines.gpuProbe().usable(), "this host has a usable GPU; the no-GPU rules do not apply");
  }

  @Test
  void probeSaysWhyTensorRtCannotRun() {
    String problem = Engines.gpuProbe().problem();
    assertTrue(problem != null && !problem.isBlank());
  }

  @Test
  void autoRunsOnnxOnOnnxRuntime() {
    assertEquals("onnxruntime", Engines.choose(Backend.AUTO, ModelKind.ONNX).name());
  }

  @Test
  void autoWithAPlanAndNoGpuSaysToPassTheOnnxModel() {
    EngineException e = assertThrows(EngineException.class, () -> Engines.choose(Backend.AUTO, ModelKind.TENSORRT_PLAN));
    assertTrue(e.getMessage().startsWith("a plan needs a GPU with TensorRT 10.6 ("), e.getMessage());
    assertTrue(e.getMessage().endsWith("); pass the ONNX model to run on CPU"), e.getMessage());
  }

  @Test
  void forcedTensorRtWithoutGpuFailsWithTheAlternative() {
    EngineException e = assertThrows(EngineException.class, () -> Engines.choose(Backend.TENSORRT, ModelKind.ONNX));
    assertTrue(e.getMessage().startsWith("spark.trt.backend=tensorrt, but TensorRT cannot run here: "), e.getMessage());
    assertTrue(e.getMessage().endsWith("; use spark.trt.backend=auto or onnxruntime to run on the CPU"), e.getMessage());
  }

  @Test
  void onnxRuntimeCannotRunAPlan() {
    EngineException e = assertThrows(EngineException.class, () -> Engines.choose(Backend.ONNXRUNTIME, ModelKind.TENSORRT_PLAN));
    assertEquals("spark.trt.backend=onnxruntime needs an ONNX model, and this is a TensorRT plan; pass the ONNX model to "
        + "run on CPU", e.getMessage());
  }
}
