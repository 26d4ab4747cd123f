package dev.trtspark.jobs;

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

  @Option(names = "--onnx", required = true, description = "The ONNX model.")
  String onnx;

  @Option(names = "--output", required = true, description = "Where to write the plan (its sidecar goes to <output>.json).")
  String output;

  @Option(names = "--fp16") boolean fp16;
  @Option(names = "--bf16") boolean bf16;
  @Option(names = "--fp8") boolean fp8;
  @Option(names = "--int8", description = "Only for models with Q/DQ nodes.") boolean int8;
  @Option(names = "--tf32") boolean tf32;

  @Option(names = "--min-shapes", description = "name:AxB[,name:...]") String minShapes;
  @Option(names = "--opt-shapes", description = "name:AxB[,name:...]") String optShapes;
  @Option(names = "--max-shapes", description = "name:AxB[,name:...]") String maxShapes;
  @Option(names = "--max-batch", description = "Largest batch (dimension 0) the plan takes.") Integer maxBatch;
  @Option(names = "--timing-cache", description = "Timing-cache file, read if present and written after.") String timingCache;
  @Option(names = "--workspace", description = "Workspace limit in bytes (512m, 4g, ...).") String workspace;
  @Option(names = "--version-compatible", description = "Loadable by later TensorRT 10.x runtimes.") boolean versionCompatible;
  @Option(names = "--device", description = "CUDA ordinal to build on.") int device;

  @Override
  public Integer call() {
    List<String> precision = new ArrayList<>(List.of("fp32"));
    if (fp16) {
      precision.add("fp16");
    }
    if (bf16) {
      precision.add("bf16");
    }
    if (fp8) {
      precision.add("fp8");
    }
    if (int8) {
      precision.add("int8");
    }
    if (tf32) {
      precision.add("tf32");
    }
    Map<String, String> o = new LinkedHashMap<>();
    o.put("build.precision", String.join(",", precision));
    put(o, "build.minShapes", minShapes);
    put(o, "build.optShapes", optShapes);
    put(o, "build.maxShapes", maxShapes);
    put(o, "build.maxBatch", maxBatch == null ? null : maxBatch.toString());
    put(o, "build.timingCache", timingCache);
    put(o, "build.workspaceBytes", workspace);
    o.put("build.versionCompatible", Boolean.toString(versionCompatible));
    ResolvedConfig config = ConfigResolver.resolve(o, Map.of());
    long t0 = System.nanoTime();
    PlanMetadata m = Engines.buildPlan(ArtifactLoader.load(onnx), output, config, device);
    PrintWriter out = spec.commandLine().getOut();
    out.printf("built %s in %.1f s with TensorRT %s for %s (sm_%s)%nsidecar: %s.json%n", output,
        (System.nanoTime() - t0) / 1e9, m.tensorrtVersion(), m.gpuName(), m.computeCapability().replace(".", ""), output);
    return 0;
  }

  private static void put(Map<String, String> m, String k, String v) {
    if (v != null) {
      m.put(k, v);
    }
  }
}
