package dev.trtspark.engine.trt;

import dev.trtspark.conf.TrtConf;
import dev.trtspark.conf.BuildFlags;
import static org.bytedeco.tensorrt.global.nvinfer.createInferBuilder;
import static org.bytedeco.tensorrt.global.nvonnxparser.createParser;

import dev.trtspark.conf.BuildConf;
import dev.trtspark.conf.Precision;
import dev.trtspark.conf.ResolvedConfig;
import dev.trtspark.engine.EngineException;
import dev.trtspark.engine.model.ArtifactLoader;
import dev.trtspark.engine.model.ModelArtifact;
import dev.trtspark.engine.model.PlanMetadata;
import dev.trtspark.engine.tensor.ProfileRanges;
import dev.trtspark.engine.tensor.TensorInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.tensorrt.global.nvinfer.BuilderFlag;
import org.bytedeco.tensorrt.global.nvinfer.MemoryPoolType;
import org.bytedeco.tensorrt.global.nvinfer.OptProfileSelector;
import org.bytedeco.tensorrt.nvinfer.IBuilder;
import org.bytedeco.tensorrt.nvinfer.IBuilderConfig;
import org.bytedeco.tensorrt.nvinfer.IHostMemory;
import org.bytedeco.tensorrt.nvinfer.INetworkDefinition;
import org.bytedeco.tensorrt.nvinfer.IOptimizationProfile;
import org.bytedeco.tensorrt.nvinfer.ITensor;
import org.bytedeco.tensorrt.nvinfer.ITimingCache;
import org.bytedeco.tensorrt.nvonnxparser.IParser;
import org.bytedeco.tensorrt.nvonnxparser.IParserError;

/**
 * The build phase of the TensorRT developer guide: ONNX -&gt; serialized plan, with one optimization
 * profile (batch range from {@code spark.trt.build.*Batch}, other dynamic dimensions from the shape
 * options), precision flags, workspace limit, optimization level, timing cache and the
 * version-compatible flag, plus the metadata sidecar. The builder objects it creates cannot be freed
 * through the presets (a few MB per build); builds are rare, driver- or CLI-side events.
 *
 * <p>Threading: builds are serialized (the TensorRT builder is not thread-safe).
 */
public final class PlanBuilder {
  private static final java.util.concurrent.atomic.AtomicLong BUILDS = new java.util.concurrent.atomic.AtomicLong();

  /** Plans built in this JVM (what the plan cache saves; tests and logs read it). */
  public static long builds() {
    return BUILDS.get();
  }

  private PlanBuilder() {}

  /**
   * A built plan and its sidecar. The plan stays in native memory (a plan may be over 2 GiB, more than
   * a Java array holds); the caller owns it and closes it (idempotent).
   */
  public record BuiltPlan(BytePointer plan, PlanMetadata metadata, double buildSeconds) implements AutoCloseable {
    /** The plan's size in bytes. */
    public long size() {
      return plan.capacity();
    }

    /** Writes {@code <location>} and {@code <location>.json} on any Hadoop FileSystem. */
    public void write(String location, Configuration hadoopConf) {
      org.apache.hadoop.fs.Path path = ArtifactLoader.toPath(location);
      try {
        FileSystem fs = ArtifactLoader.fileSystem(path, hadoopConf);
        try (FSDataOutputStream out = fs.create(path, true)) {
          writeTo(out);
        }
        try (FSDataOutputStream out = fs.create(new org.apache.hadoop.fs.Path(path + ".json"), true)) {
          out.write(metadata.toJson().getBytes(StandardCharsets.UTF_8));
        }
      } catch (IOException e) {
        throw new EngineException("cannot write plan to " + location + ": " + e.getMessage(), e);
      }
    }

    /** Streams the plan to {@code out}, 8 MiB at a time. */
    public void writeTo(java.io.OutputStream out) throws IOException {
      byte[] chunk = new byte[8 << 20];
      long size = size();
      for (long at = 0; at < size; at += chunk.length) {
        int n = (int) Math.min(chunk.length, size - at);
        plan.position(at).get(chunk, 0, n);
        out.write(chunk, 0, n);
      }
      plan.position(0);
    }

    /** The plan's sha256, read 64 MiB at a time. */
    static String sha256(BytePointer plan) {
      try {
        java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
        long size = plan.capacity();
        for (long at = 0; at < size; at += 1 << 26) {
          long n = Math.min(1 << 26, size - at);
          md.update(new dev.trtspark.engine.memory.NativeAddress(plan.address() + at, n).asByteBuffer());
        }
        return java.util.HexFormat.of().formatHex(md.digest());
      } catch (java.security.NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public void close() {
      plan.close();
    }
  }

  /**
   * Builds a plan for GPU {@code device} from ONNX bytes.
   *
   * @throws EngineException with the parser's errors (node names included), a missing profile range,
   *     int8 asked for a model without Q/DQ nodes, or the builder's last error
   */
  public static synchronized BuiltPlan build(ModelArtifact onnx, ResolvedConfig config, int device) {
    BUILDS.incrementAndGet();
    TrtPlugins.register(config);
    Cuda.Probe probe = Cuda.probe();
    Cuda.Device dev = Cuda.device(device);
    Cuda.setDevice(device);
    long t0 = System.nanoTime();
    TrtLogger log = TrtLogger.INSTANCE;
    log.clearLastError();
    IBuilder builder = createInferBuilder(log);
    boolean strong = config.get(BuildConf.STRONGLY_TYPED);
    INetworkDefinition net = builder.createNetworkV2(strong
        ? 1 << org.bytedeco.tensorrt.global.nvinfer.NetworkDefinitionCreationFlag.kSTRONGLY_TYPED.value : 0);
    IParser parser = createParser(net, log);
    boolean parsed;
    if (onnx.localFile().isPresent()) {
      // from its file: the parser finds external data files beside the model, which may be over 2 GiB
      parsed = parser.parseFromFile(onnx.localFile().get().toString(), 2);
    } else {
      byte[] bytes = onnx.bytes();
      try (BytePointer model = new BytePointer(bytes)) {
        parsed = parser.parse(model, bytes.length);
      }
    }
    if (!parsed) {
      List<String> errors = new ArrayList<>();
      for (int i = 0; i < parser.getNbErrors(); i++) {
        IParserError e = parser.getError(i);
        errors.add((e.node() < 0 ? "" : "node " + e.node() + " '" + e.nodeName() + "' (" + e.nodeOperator() + "): ")
            + e.desc());
      }
      throw new EngineException("TensorRT's ONNX parser rejected " + onnx.uri() + ": " + String.join("; ", errors)
          + ". What to do: an op TensorRT lacks needs a plugin (TensorRT's standard ones are registered; give your "
          + "library with " + TrtConf.PLUGINS.key() + " or build " + BuildFlags.PLUGINS + "); an op of a newer or older opset may parse after "
          + "re-exporting the model with another opset; or run the model on the CPU with " + TrtConf.BACKEND.key() + "=onnxruntime");
    }
    List<Precision> precisions = config.get(BuildConf.PRECISION);
    if (precisions.contains(Precision.INT8) && !onnx.hasQuantizeNodes()) {
      throw new EngineException("int8 needs a model with QuantizeLinear/DequantizeLinear nodes (TensorRT 10 has no "
          + "calibrator here); " + onnx.uri() + " has none. Quantize it first, or use " + BuildFlags.FP16 + " / " + BuildFlags.BF16 + " / " + BuildFlags.FP8);
    }
    IBuilderConfig cfg = builder.createBuilderConfig();
    if (!precisions.contains(Precision.TF32)) {
      cfg.clearFlag(BuilderFlag.kTF32);
    }
    // a strongly typed network takes its types from the model; the reduced-precision flags would be refused
    for (Precision p : strong ? List.<Precision>of() : precisions) {
      switch (p) {
        case FP16:
          cfg.setFlag(BuilderFlag.kFP16);
          break;
        case BF16:
          cfg.setFlag(BuilderFlag.kBF16);
          break;
        case FP8:
          cfg.setFlag(BuilderFlag.kFP8);
          break;
        case INT8:
          cfg.setFlag(BuilderFlag.kINT8);
          break;
        default:
          break;
      }
    }
    long workspace = config.get(BuildConf.WORKSPACE_BYTES);
    if (workspace > 0) {
      cfg.setMemoryPoolLimit(MemoryPoolType.kWORKSPACE, workspace);
    }
    cfg.setBuilderOptimizationLevel(config.get(BuildConf.OPTIMIZATION_LEVEL));
    if (config.get(BuildConf.VERSION_COMPATIBLE)) {
      cfg.setFlag(BuilderFlag.kVERSION_COMPATIBLE);
    }
    List<PlanMetadata.Tensor> tensors = new ArrayList<>();
    Map<String, long[][]> ranges = new LinkedHashMap<>();
    Map<String, long[]> declaredShapes = new LinkedHashMap<>();
    for (int i = 0; i < net.getNbInputs(); i++) {
      ITensor in = net.getInput(i);
      String name = in.getName();
      long[] declared = TrtTypes.toArray(in.getDimensions());
      long[][] range = ProfileRanges.of(name, declared, config, onnx.uri(), true);
      ranges.put(name, range);
      declaredShapes.put(name, declared);
      tensors.add(new PlanMetadata.Tensor(name, "input", TrtTypes.toDataType(in.getType(), onnx.uri(), name).display(),
          declared, range[0], range[1], range[2]));
    }
    for (int i = 0; i < net.getNbOutputs(); i++) {
      ITensor out = net.getOutput(i);
      tensors.add(new PlanMetadata.Tensor(out.getName(), "output",
          TrtTypes.toDataType(out.getType(), onnx.uri(), out.getName()).display(), TrtTypes.toArray(out.getDimensions()),
          null, null, null));
    }
    // one optimization profile, or one per length bucket (spark.trt.build.lengthBuckets)
    OptProfileSelector[] sel = {OptProfileSelector.kMIN, OptProfileSelector.kOPT, OptProfileSelector.kMAX};
    List<Map<String, long[][]>> profiles = ProfileRanges.profiles(ranges, declaredShapes, config);
    for (int p = 0; p < profiles.size(); p++) {
      IOptimizationProfile profile = builder.createOptimizationProfile();
      for (Map.Entry<String, long[][]> e : profiles.get(p).entrySet()) {
        for (int s = 0; s < 3; s++) {
          if (!profile.setDimensions(e.getKey(), sel[s], TrtTypes.dims(e.getValue()[s]))) {
            throw new EngineException("TensorRT refused the " + sel[s] + " shape " + TensorInfo.format(e.getValue()[s])
                + " of input " + e.getKey() + " in profile " + p + ": " + log.lastError());
          }
        }
      }
      if (cfg.addOptimizationProfile(profile) < 0) {
        throw new EngineException("TensorRT refused optimization profile " + p + " of " + onnx.uri() + ": "
            + log.lastError());
      }
    }
    ITimingCache cache = timingCache(cfg, config);
    IHostMemory plan = builder.buildSerializedNetwork(net, cfg);
    if (plan == null || plan.isNull()) {
      throw new EngineException("TensorRT could not build a plan from " + onnx.uri() + " on " + dev + ": "
          + log.lastError());
    }
    // copied out of TensorRT's buffer into memory this JVM frees (no Java array: a plan may be over 2 GiB)
    BytePointer out = new BytePointer(plan.size());
    org.bytedeco.javacpp.Pointer.memcpy(out, plan.data(), plan.size());
    saveTimingCache(cache, config);
    double seconds = (System.nanoTime() - t0) / 1e9;
    Map<String, String> options = new LinkedHashMap<>();
    for (var option : BuildConf.all()) {
      String v = config.asStrings().get(option.key());
      if (v != null && option != BuildConf.TIMING_CACHE) {
        options.put(option.key(), v);
      }
    }
    PlanMetadata meta = new PlanMetadata(PlanMetadata.FORMAT, probe.tensorrtVersion(), dev.name(), dev.computeCapability(),
        BuiltPlan.sha256(out), onnx.uri(), onnx.sha256(), options, tensors);
    return new BuiltPlan(out, meta, seconds);
  }

  private static ITimingCache timingCache(IBuilderConfig cfg, ResolvedConfig config) {
    String file = config.getOptional(BuildConf.TIMING_CACHE).orElse(null);
    ITimingCache cache;
    if (file != null && Files.exists(Path.of(file))) {
      try {
        byte[] blob = Files.readAllBytes(Path.of(file));
        cache = cfg.createTimingCache(new BytePointer(blob), blob.length);
      } catch (IOException e) {
        throw new EngineException("cannot read timing cache " + file + ": " + e.getMessage(), e);
      }
    } else {
      cache = cfg.createTimingCache(null, 0);
    }
    if (cache == null || !cfg.setTimingCache(cache, false)) {
      throw new EngineException("TensorRT refused timing cache " + file + ": " + TrtLogger.INSTANCE.lastError());
    }
    return cache;
  }

  private static void saveTimingCache(ITimingCache cache, ResolvedConfig config) {
    String file = config.getOptional(BuildConf.TIMING_CACHE).orElse(null);
    if (file == null) {
      return;
    }
    IHostMemory blob = cache.serialize();
    byte[] bytes = new byte[(int) blob.size()];
    new BytePointer(blob.data()).capacity(blob.size()).get(bytes);
    try {
      Path p = Path.of(file);
      if (p.toAbsolutePath().getParent() != null) {
        Files.createDirectories(p.toAbsolutePath().getParent());
      }
      Files.write(p, bytes);
    } catch (IOException e) {
      throw new EngineException("cannot write timing cache " + file + ": " + e.getMessage(), e);
    }
  }
}
