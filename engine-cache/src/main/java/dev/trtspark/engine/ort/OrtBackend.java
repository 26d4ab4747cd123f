package dev.trtspark.engine.ort;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.trtspark.conf.ResolvedConfig;
import dev.trtspark.engine.EngineException;
import dev.trtspark.engine.backend.Engine;
import dev.trtspark.engine.backend.InferenceBackend;
import dev.trtspark.engine.model.ModelArtifact;
import dev.trtspark.engine.model.ModelKind;

/** ONNX Runtime on the CPU: runs ONNX models where there is no GPU, and is the reference for compare. */
public final class OrtBackend implements InferenceBackend {
  public static final String NAME = "onnxruntime";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Engine load(ModelArtifact artifact, int device, ResolvedConfig config) {
    if (artifact.kind() != ModelKind.ONNX) {
      throw new EngineException(artifact.uri() + " is a TensorRT plan; ONNX Runtime runs ONNX models only. "
          + "A plan needs a GPU with TensorRT 10.6; pass the ONNX model to run on CPU");
    }
    try {
      OrtEnvironment env = OrtEnvironment.getEnvironment();
      OrtSession.SessionOptions options = new OrtSession.SessionOptions();
      // from its file where there is one: ONNX Runtime then finds external data files beside the model
      OrtSession session = artifact.localFile().isPresent()
          ? env.createSession(artifact.localFile().get().toString(), options)
          : env.createSession(artifact.bytes(), options);
      return new OrtEngine(artifact, env, options, session, config);
    } catch (OrtException e) {
      throw new EngineException("ONNX Runtime cannot load " + artifact.uri() + ": " + e.getMessage(), e);
    }
  }
}
