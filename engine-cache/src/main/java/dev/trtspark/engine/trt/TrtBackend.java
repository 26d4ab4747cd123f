package dev.trtspark.engine.trt;

import dev.trtspark.conf.BuildFlags;
import static org.bytedeco.tensorrt.global.nvinfer.createInferRuntime;

import dev.trtspark.conf.BuildConf;
import dev.trtspark.conf.ResolvedConfig;
import dev.trtspark.engine.EngineException;
import dev.trtspark.engine.backend.Engine;
import dev.trtspark.engine.backend.InferenceBackend;
import dev.trtspark.engine.model.ModelArtifact;
import dev.trtspark.engine.model.ModelKind;
import dev.trtspark.engine.model.PlanCompatibility;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.tensorrt.nvinfer.ICudaEngine;
import org.bytedeco.tensorrt.nvinfer.IRuntime;

/**
 * TensorRT 10.6 through the JavaCPP presets. Plans are checked against their sidecar, then
 * deserialized by the JVM's one {@link IRuntime}; ONNX models are first built into a plan in memory
 * with the {@code spark.trt.build.*} options. Everything TensorRT-version-specific lives in this package.
 */
public final class TrtBackend implements InferenceBackend {
  public static final String NAME = "tensorrt";
  private static IRuntime runtime;

  @Override
  public String name() {
    return NAME;
  }

  private static synchronized IRuntime runtime() {
    if (runtime == null) {
      runtime = createInferRuntime(TrtLogger.INSTANCE);
      if (runtime == null || runtime.isNull()) {
        throw new EngineException("TensorRT could not create a runtime: " + TrtLogger.INSTANCE.lastError());
      }
    }
    return runtime;
  }

  @Override
  public Engine load(ModelArtifact artifact, int device, ResolvedConfig config) {
    Cuda.Probe probe = Cuda.probe();
    if (!probe.usable()) {
      throw new EngineException("TensorRT cannot run here: " + probe.problem());
    }
    Cuda.Device dev = Cuda.device(device);
    TrtPlugins.register(config);
    BytePointer plan;
    if (artifact.kind() == ModelKind.ONNX) {
      plan = PlanCache.planFor(artifact, config, dev, probe.tensorrtVersion());
    } else {
      PlanCompatibility.check(artifact, probe.tensorrtVersion(), dev.name(), dev.computeCapability(),
          config.explicit(BuildConf.all()));
      plan = planBytes(artifact);
    }
    long planBytes = plan.capacity();
    ICudaEngine engine;
    try {
      engine = deserialize(plan, artifact.uri(), dev);
    } finally {
      plan.close();
    }
    try {
      return new TrtEngine(engine, dev, artifact.uri(), planBytes);
    } catch (RuntimeException e) {
      TrtDelete.delete(engine);  // reading its signature failed: nobody else owns it
      throw e;
    }
  }

  /** A plan's bytes in native memory (the caller closes them): from its file when over 2 GiB, else its array. */
  static BytePointer planBytes(ModelArtifact artifact) {
    return artifact.fileOnly() ? readNative(artifact) : new BytePointer(artifact.bytes());
  }

  /** A plan over 2 GiB, read from its file into native memory in chunks (no Java array holds it). */
  private static BytePointer readNative(ModelArtifact artifact) {
    java.nio.file.Path file = artifact.localFile().orElseThrow();
    BytePointer p = new BytePointer(artifact.size());
    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file)) {
      long done = 0;
      while (done < artifact.size()) {
        long n = Math.min(1L << 30, artifact.size() - done);
        java.nio.ByteBuffer window = new dev.trtspark.engine.memory.NativeAddress(p.address() + done, n).asByteBuffer();
        while (window.hasRemaining()) {
          if (ch.read(window, done + window.position()) < 0) {
            throw new java.io.EOFException(file + " ended at " + (done + window.position()) + " bytes");
          }
        }
        done += n;
      }
      return p;
    } catch (java.io.IOException e) {
      p.close();
      throw new EngineException("cannot read plan " + artifact.uri() + ": " + e.getMessage(), e);
    }
  }

  private static ICudaEngine deserialize(BytePointer plan, String uri, Cuda.Device dev) {
    synchronized (TrtBackend.class) {
      Cuda.setDevice(dev.ordinal());
      TrtLogger.INSTANCE.clearLastError();
      ICudaEngine engine = runtime().deserializeCudaEngine(plan, plan.capacity());
      if (engine == null || engine.isNull()) {
        throw new EngineException("TensorRT " + Cuda.probe().tensorrtVersion() + " could not deserialize plan " + uri + " on "
            + dev + " (" + TrtLogger.INSTANCE.lastError() + "); it is corrupt or truncated, or was built by another "
            + "TensorRT version or for another GPU: rebuild it with "
                + BuildFlags.command(BuildFlags.ONNX, "<model.onnx>", BuildFlags.OUTPUT, uri));
      }
      return engine;
    }
  }
}
