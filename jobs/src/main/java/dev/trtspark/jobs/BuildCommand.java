package dev.trtspark.jobs;

import dev.trtspark.conf.TrtConf;
import dev.trtspark.conf.BuildConf;
import dev.trtspark.conf.BuildFlags;
import dev.trtspark.conf.ConfigResolver;
import dev.trtspark.conf.ResolvedConfig;
import dev.trtspark.engine.Engines;
import dev.trtspark.engine.model.ArtifactLoader;
import dev.trtspark.engine.model.PlanMetadata;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code build}: ONNX to a TensorRT plan and its sidecar, trtexec-style flags. Needs a GPU. */
@Command(name = "build", mixinStandardHelpOptions = true, description = "Build a TensorRT plan from an ONNX model (needs a GPU).")
final class BuildCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = BuildFlags.ONNX, required = true, description = "The ONNX model.")
  String onnx;

  @Option(names = {BuildFlags.OUTPUT, "--saveEngine"},
      description = "Where to write the plan (its sidecar goes to <output>.json).")
  String output;

  @Option(names = BuildFlags.PLAN_CACHE, description = "Instead of --output: build into this plan cache (" + TrtConf.PLAN_CACHE_DIR_KEY + "), "
      + "where jobs running the ONNX model on TensorRT with the same options find it.")
  String planCache;

  @Option(names = BuildFlags.FP16) boolean fp16;
  @Option(names = BuildFlags.BF16) boolean bf16;
  @Option(names = BuildFlags.FP8) boolean fp8;
  @Option(names = BuildFlags.INT8, description = "Only for models with Q/DQ nodes.") boolean int8;
  @Option(names = BuildFlags.TF32, description = "TF32 kernels for float32 layers (the default).") boolean tf32;
  @Option(names = {BuildFlags.NO_TF32, "--no-tf32"}, description = "Strict IEEE float32: no TF32 kernels.") boolean noTf32;
  @Option(names = BuildFlags.BEST, description = "Every precision that needs no calibration: fp16, bf16 and tf32 (int8 too when "
      + "the model has Q/DQ nodes).") boolean best;
  @Option(names = "--stronglyTyped", description = "Keep the model's own tensor types (precision flags do not apply).")
  boolean stronglyTyped;

  @Option(names = {BuildFlags.MIN_SHAPES, "--minShapes"}, description = "name:AxB[,name:...]") String minShapes;
  @Option(names = {BuildFlags.OPT_SHAPES, "--optShapes"}, description = "name:AxB[,name:...]") String optShapes;
  @Option(names = {BuildFlags.MAX_SHAPES, "--maxShapes"}, description = "name:AxB[,name:...]") String maxShapes;
  @Option(names = BuildFlags.MAX_BATCH, description = "Largest batch (dimension 0) the plan takes.") Integer maxBatch;
  @Option(names = "--length-buckets", description = "Lengths 16,32,64,128: one optimization profile per bucket for "
      + "variable-length inputs (" + BuildConf.LENGTH_BUCKETS_KEY + ").") String lengthBuckets;
  @Option(names = {"--timing-cache", "--timingCacheFile"}, description = "Timing-cache file, read if present and written "
      + "after.") String timingCache;
  @Option(names = "--workspace", description = "Workspace limit in bytes (512m, 4g, ...).") String workspace;
  @Option(names = "--memPoolSize", description = "trtexec style: workspace:N (MiB, or with a K/M/G suffix).")
  String memPoolSize;
  @Option(names = "--version-compatible", description = "Loadable by later TensorRT 10.x runtimes.") boolean versionCompatible;
  @Option(names = "--device", description = "CUDA ordinal to build on.") int device;
  @Option(names = BuildFlags.PLUGINS, split = ",", description = "TensorRT plugin libraries (.so) to load before parsing "
      + "(" + TrtConf.PLUGINS_KEY + "; TensorRT's standard plugins are always registered).") List<String> plugins = new ArrayList<>();
  @Option(names = "--conf", description = "Any " + BuildConf.PREFIX + "* option, key=value (repeatable); flags win.")
  List<String> confs = new ArrayList<>();

  @Override
  public Integer call() {
    Map<String, String> o = new LinkedHashMap<>();
    for (String c : confs) {
      int eq = c.indexOf('=');
      if (eq <= 0) {
        throw new Errors.UsageException("--conf " + c + " is not key=value");
      }
      o.put(c.substring(0, eq).trim(), c.substring(eq + 1).trim());
    }
    List<String> precision = new ArrayList<>(List.of("fp32"));
    if (!noTf32) {
      precision.add("tf32");
    }
    if (fp16 || best) {
      precision.add("fp16");
    }
    if (bf16 || best) {
      precision.add("bf16");
    }
    if (fp8) {
      precision.add("fp8");
    }
    if (int8 || best && ArtifactLoader.load(onnx).hasQuantizeNodes()) {
      precision.add("int8");
    }
    if (tf32 && noTf32) {
      throw new Errors.UsageException("--tf32 and --noTF32 contradict each other; give one");
    }
    if (fp16 || bf16 || fp8 || int8 || best || noTf32 || !o.containsKey("build.precision")
        && !o.containsKey(BuildConf.PRECISION.key())) {
      o.put("build.precision", String.join(",", precision));
    }
    put(o, "build.minShapes", minShapes);
    put(o, "build.optShapes", optShapes);
    put(o, "build.maxShapes", maxShapes);
    put(o, "build.maxBatch", maxBatch == null ? null : maxBatch.toString());
    put(o, "build.lengthBuckets", lengthBuckets);
    put(o, "build.timingCache", timingCache);
    put(o, "build.workspaceBytes", workspace != null ? workspace : memPoolSize == null ? null : workspaceFromPool(memPoolSize));
    if (versionCompatible) {
      o.put("build.versionCompatible", "true");
    }
    if (stronglyTyped) {
      o.put("build.stronglyTyped", "true");
    }
    if (!plugins.isEmpty()) {
      o.put("plugins", String.join(",", plugins));
    }
    if ((output == null) == (planCache == null)) {
      throw new Errors.UsageException("give --output (or --saveEngine) for a plan file, or --plan-cache DIR; one of them");
    }
    if (planCache != null) {
      o.put("planCache.dir", planCache);
    }
    ResolvedConfig config = ConfigResolver.resolve(o, Map.of());
    long t0 = System.nanoTime();
    PrintWriter out = spec.commandLine().getOut();
    if (planCache != null) {
      String at = Engines.fillPlanCache(ArtifactLoader.load(onnx), config, device);
      out.printf("built %s into the plan cache in %.1f s: %s%n", onnx, (System.nanoTime() - t0) / 1e9, at);
      return 0;
    }
    PlanMetadata m = Engines.buildPlan(ArtifactLoader.load(onnx), output, config, device);
    out.printf("built %s in %.1f s with TensorRT %s for %s (sm_%s)%nsidecar: %s.json%n", output,
        (System.nanoTime() - t0) / 1e9, m.tensorrtVersion(), m.gpuName(), m.computeCapability().replace(".", ""), output);
    return 0;
  }

  /** trtexec's {@code --memPoolSize=workspace:N}: N MiB unless it has a K, M or G suffix; other pools are refused. */
  static String workspaceFromPool(String spec) {
    for (String part : spec.split(",")) {
      String[] kv = part.split(":", 2);
      if (kv.length != 2 || !kv[0].trim().equals("workspace")) {
        throw new Errors.UsageException("--memPoolSize " + spec + ": only workspace:N is supported (N in MiB, or with "
            + "a K/M/G suffix)");
      }
      String n = kv[1].trim();
      return n.matches("[0-9.]+") ? Math.round(Double.parseDouble(n) * (1 << 20)) + "" : n;
    }
    throw new Errors.UsageException("--memPoolSize " + spec + " is empty");
  }

  private static void put(Map<String, String> m, String k, String v) {
    if (v != null) {
      m.put(k, v);
    }
  }
}
