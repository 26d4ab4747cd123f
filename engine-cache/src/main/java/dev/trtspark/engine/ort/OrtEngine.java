package dev.trtspark.engine.ort;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.trtspark.conf.ResolvedConfig;
import dev.trtspark.engine.EngineException;
import dev.trtspark.engine.backend.Engine;
import dev.trtspark.engine.backend.ExecutionSlot;
import dev.trtspark.engine.model.ModelArtifact;
import dev.trtspark.engine.tensor.DType;
import dev.trtspark.engine.tensor.ModelSignature;
import dev.trtspark.engine.tensor.ProfileRanges;
import dev.trtspark.engine.tensor.TensorInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An {@link OrtSession} over one ONNX model, accepting the shapes a TensorRT plan built with the same
 * options would (see {@link ProfileRanges}). Owns the session and its options and closes both
 * (freeing all native memory) on {@link #close()}. Threading: {@code OrtSession.run} is thread-safe,
 * so slots are thin and share the session.
 */
final class OrtEngine implements Engine {
  private final ModelArtifact artifact;
  private final OrtEnvironment env;
  private final OrtSession.SessionOptions options;
  private final OrtSession session;
  private final ModelSignature signature;
  private boolean closed;

  OrtEngine(ModelArtifact artifact, OrtEnvironment env, OrtSession.SessionOptions options, OrtSession session,
      ResolvedConfig config) throws OrtException {
    this.artifact = artifact;
    this.env = env;
    this.options = options;
    this.session = session;
    List<TensorInfo> inputs = tensors(session.getInputInfo(), true, config);
    Map<String, long[][]> ranges = new java.util.LinkedHashMap<>();
    Map<String, long[]> declared = new java.util.LinkedHashMap<>();
    for (TensorInfo t : inputs) {
      ranges.put(t.name(), new long[][] {t.min(), t.opt(), t.max()});
      declared.put(t.name(), t.shape());
    }
    // no profiles here: only the grouping of rows by length applies
    this.signature = new ModelSignature(artifact.uri(), inputs, tensors(session.getOutputInfo(), false, config),
        ProfileRanges.bucketBounds(ranges, declared, config));
  }

  private List<TensorInfo> tensors(Map<String, NodeInfo> infos, boolean input, ResolvedConfig config) {
    List<TensorInfo> out = new ArrayList<>();
    for (NodeInfo n : infos.values()) {
      if (!(n.getInfo() instanceof ai.onnxruntime.TensorInfo)) {
        throw new EngineException("model " + artifact.uri() + ": " + n.getName() + " is not a tensor (" + n.getInfo()
            + "); only tensor inputs and outputs are supported");
      }
      ai.onnxruntime.TensorInfo t = (ai.onnxruntime.TensorInfo) n.getInfo();
      DType type = OrtTypes.toDataType(t.onnxType, artifact.uri(), n.getName());
      long[] shape = t.getShape();
      if (input) {
        // the same ranges a TensorRT plan built with these options would accept
        long[][] r = ProfileRanges.of(n.getName(), shape, config, artifact.uri(), false);
        out.add(new TensorInfo(n.getName(), true, type, shape, r[0], r[1], r[2], t.getDimensionNames()));
      } else {
        out.add(TensorInfo.output(n.getName(), type, shape).withDimNames(t.getDimensionNames()));
      }
    }
    return out;
  }

  OrtSession session() {
    return session;
  }

  OrtEnvironment env() {
    return env;
  }

  @Override
  public ModelSignature signature() {
    return signature;
  }

  @Override
  public String backendName() {
    return OrtBackend.NAME;
  }

  @Override
  public String deviceDescription() {
    return "CPU";
  }

  @Override
  public long sizeBytes() {
    return artifact.size();
  }

  @Override
  public ExecutionSlot newSlot(int lanes) {
    return new OrtSlot(this);
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      session.close();
    } catch (OrtException e) {
      throw new EngineException("closing ONNX Runtime session of " + artifact.uri() + " failed", e);
    } finally {
      options.close();
    }
  }
}
