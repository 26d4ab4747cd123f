package dev.trtspark.engine;

import dev.trtspark.conf.BuildFlags;
import dev.trtspark.conf.Backend;
import dev.trtspark.conf.BuildConf;
import dev.trtspark.conf.ResolvedConfig;
import dev.trtspark.conf.TrtConf;
import dev.trtspark.engine.backend.InferenceBackend;
import dev.trtspark.engine.cache.EngineCache;
import dev.trtspark.engine.cache.EngineKey;
import dev.trtspark.engine.cache.EngineLease;
import dev.trtspark.engine.model.ModelArtifact;
import dev.trtspark.engine.model.ModelKind;
import dev.trtspark.engine.ort.OrtBackend;
import dev.trtspark.engine.trt.Cuda;
import dev.trtspark.engine.trt.TrtBackend;
import dev.trtspark.engine.backend.Engine;
import dev.trtspark.engine.model.PlanMetadata;
import dev.trtspark.engine.tensor.DType;
import dev.trtspark.engine.tensor.ModelSignature;
import dev.trtspark.engine.tensor.TensorInfo;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The front door of engine-cache: picks the backend for a model and a device, and leases the engine
 * from the JVM's {@link EngineCache} (loading it on first use). Stateless; thread-safe.
 */
public final class Engines {
  private static final InferenceBackend TENSORRT = new TrtBackend();
  private static final InferenceBackend ONNXRUNTIME = new OrtBackend();

  private Engines() {}

  /** Whether TensorRT can run on this host, and if not, why. */
  public static Cuda.Probe gpuProbe() {
    return Cuda.probe();
  }

  /**
   * The best host memory for tensors here: page-locked (cudaHostAlloc) when a GPU and CUDA are usable,
   * so that copies to and from the GPU are asynchronous and run at full PCIe speed; else plain native.
   */
  public static dev.trtspark.engine.memory.HostMemory hostMemory() {
    return Cuda.probe().usable() ? dev.trtspark.engine.trt.PinnedHostMemory.INSTANCE
        : dev.trtspark.engine.memory.PlainHostMemory.INSTANCE;
  }

  /** Asks the CUDA driver whether {@code address} lies in page-locked host memory (false without CUDA). */
  public static boolean isPinned(long address) {
    return Cuda.probe().usable() && dev.trtspark.engine.trt.PinnedHostMemory.isPinned(address);
  }

  /**
   * Chooses the backend for a model of {@code kind}: {@code auto} is TensorRT when a CUDA device and the
   * TensorRT libraries load, else ONNX Runtime for an ONNX model, else an error that says what to do.
   */
  public static InferenceBackend choose(Backend wanted, ModelKind kind) {
    Cuda.Probe probe = Cuda.probe();
    switch (wanted) {
      case TENSORRT:
        if (!probe.usable()) {
          throw new EngineException(TrtConf.BACKEND.key() + "=tensorrt, but TensorRT cannot run here: " + probe.problem()
              + (kind == ModelKind.ONNX ? "; use " + TrtConf.BACKEND.key() + "=auto or onnxruntime to run on the CPU" : ""));
        }
        return TENSORRT;
      case ONNXRUNTIME:
        if (kind != ModelKind.ONNX) {
          throw new EngineException(TrtConf.BACKEND.key() + "=onnxruntime needs an ONNX model, and this is a TensorRT plan; "
              + "pass the ONNX model to run on CPU");
        }
        return ONNXRUNTIME;
      default:
        if (probe.usable()) {
          return TENSORRT;
        }
        if (kind == ModelKind.ONNX) {
          return ONNXRUNTIME;
        }
        throw new EngineException("a plan needs a GPU with TensorRT 10.6 (" + probe.problem()
            + "); pass the ONNX model to run on CPU");
    }
  }

  /**
   * Builds a TensorRT plan from an ONNX model on GPU {@code device} and writes it with its sidecar to
   * {@code output} (any Hadoop FileSystem); returns the sidecar.
   *
   * @throws EngineException when there is no usable GPU (saying why), or the build fails
   */
  public static PlanMetadata buildPlan(ModelArtifact onnx, String output, ResolvedConfig config, int device) {
    if (!Cuda.probe().usable()) {
      throw new EngineException("building a plan needs an NVIDIA GPU with TensorRT 10.6, and this host has none usable ("
          + Cuda.probe().problem() + "); run build on a GPU host of the kind the plan will run on");
    }
    if (onnx.kind() != ModelKind.ONNX) {
      throw new EngineException(onnx.uri() + " is not an ONNX model; build takes an ONNX model and writes a plan");
    }
    try (dev.trtspark.engine.trt.PlanBuilder.BuiltPlan built = dev.trtspark.engine.trt.PlanBuilder.build(onnx, config,
        device)) {
      built.write(output, onnx.hadoopConf());
      return built.metadata();
    }
  }

  /** Plans built in this JVM (the plan cache's hits build none). */
  public static long plansBuilt() {
    return dev.trtspark.engine.trt.PlanBuilder.builds();
  }

  /**
   * Builds the plan for an ONNX model on GPU {@code device} into the plan cache
   * ({@code spark.trt.planCache.dir}), where executors asked to run the ONNX model on TensorRT with the
   * same options will find it; returns the entry's location.
   */
  public static String fillPlanCache(ModelArtifact onnx, ResolvedConfig config, int device) {
    if (!Cuda.probe().usable()) {
      throw new EngineException("building a plan needs an NVIDIA GPU with TensorRT 10.6, and this host has none usable ("
          + Cuda.probe().problem() + "); run build on a GPU host of the kind the plan will run on");
    }
    return dev.trtspark.engine.trt.PlanCache.fill(onnx, config, device);
  }

  /**
   * The model's inputs and outputs without a GPU where possible, for planning on the driver: ONNX models
   * through a short-lived ONNX Runtime session, plans from their sidecar; a plan without sidecar needs
   * TensorRT here.
   */
  public static ModelSignature signature(ModelArtifact artifact, ResolvedConfig config) {
    if (artifact.kind() == ModelKind.ONNX) {
      try (Engine e = ONNXRUNTIME.load(artifact, -1, config)) {
        return e.signature();
      }
    }
    PlanMetadata m = artifact.sidecar().orElse(null);
    if (m != null && m.tensors() != null) {
      return signatureOf(artifact.uri(), m.tensors());
    }
    if (!Cuda.probe().usable()) {
      throw new EngineException("plan " + artifact.uri() + " has no sidecar (" + artifact.uri() + ".json) and this host "
          + "cannot open it (" + Cuda.probe().problem() + "); rebuild it with " + BuildFlags.COMMAND + ", which writes the sidecar");
    }
    try (EngineLease lease = lease(artifact, 0, config)) {
      return lease.signature();
    }
  }

  /** A signature from a sidecar's tensors. */
  public static ModelSignature signatureOf(String uri, List<PlanMetadata.Tensor> tensors) {
    List<TensorInfo> in = new ArrayList<>();
    List<TensorInfo> out = new ArrayList<>();
    for (PlanMetadata.Tensor t : tensors) {
      DType type = DType.valueOf(t.dtype().toUpperCase(java.util.Locale.ROOT));
      if ("input".equals(t.mode())) {
        in.add(new TensorInfo(t.name(), true, type, t.shape(), t.min(), t.opt(), t.max()));
      } else {
        out.add(TensorInfo.output(t.name(), type, t.shape()));
      }
    }
    return new ModelSignature(uri, in, out);
  }

  /**
   * What a sidecar would say of a plan that has none, read from the engine on this host's GPU (on an
   * executor, for a driver without a GPU): TensorRT version, GPU, IO tensors and profiles, as JSON.
   */
  public static String describePlanHere(ModelArtifact plan, ResolvedConfig config) {
    if (!Cuda.probe().usable()) {
      throw new EngineException("this host cannot open TensorRT plans either (" + Cuda.probe().problem() + ")");
    }
    Cuda.Device dev = Cuda.device(0);
    try (EngineLease lease = lease(plan, 0, config)) {
      List<PlanMetadata.Tensor> tensors = new ArrayList<>();
      ModelSignature s = lease.signature();
      for (TensorInfo t : s.inputs()) {
        tensors.add(new PlanMetadata.Tensor(t.name(), "input", t.dataType().display(), t.shape(), t.min(), t.opt(), t.max()));
      }
      for (TensorInfo t : s.outputs()) {
        tensors.add(new PlanMetadata.Tensor(t.name(), "output", t.dataType().display(), t.shape(), null, null, null));
      }
      return new PlanMetadata(PlanMetadata.FORMAT, Cuda.probe().tensorrtVersion(), dev.name(), dev.computeCapability(),
          plan.sha256(), null, null, java.util.Map.of(), tensors).toJson();
    }
  }

  /**
   * Leases the engine for {@code artifact} on {@code device} (a CUDA ordinal; ignored on the CPU),
   * loading it once per JVM. Slot count, lanes and timeout come from {@code config}.
   */
  public static EngineLease lease(ModelArtifact artifact, int device, ResolvedConfig config) {
    InferenceBackend backend = choose(config.get(TrtConf.BACKEND), artifact.kind());
    boolean gpu = backend == TENSORRT;
    int dev = gpu ? Math.max(device, 0) : -1;
    String identity = artifact.sha256();
    if (artifact.kind() == ModelKind.ONNX) {
      // an engine from ONNX depends on the build options too: TensorRT builds with them, and ONNX Runtime
      // enforces the same shape ranges (two inferences with other ranges must not share an engine)
      identity = ModelArtifact.sha256((identity + "|" + config.explicit(BuildConf.all())).getBytes(StandardCharsets.UTF_8));
    }
    EngineKey key = new EngineKey(identity, dev, backend.name());
    EngineCache cache = EngineCache.getOrCreate(config.get(TrtConf.ENGINE_CACHE_MAX_BYTES));
    return cache.acquire(key, new EngineCache.LoadSpec(() -> backend.load(artifact, dev, config),
        config.get(TrtConf.SLOTS_PER_ENGINE), config.get(TrtConf.BATCHES_IN_FLIGHT), config.get(TrtConf.SLOT_TIMEOUT_MS)));
  }
}
