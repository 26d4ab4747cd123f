package dev.trtspark.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.trtspark.conf.ResolvedConfig;
import dev.trtspark.engine.Engines;
import dev.trtspark.engine.model.ArtifactLoader;
import dev.trtspark.engine.model.ModelArtifact;
import dev.trtspark.engine.model.PlanMetadata;
import dev.trtspark.engine.tensor.ModelSignature;
import dev.trtspark.engine.tensor.TensorInfo;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code inspect}: a model's IO tensors, dtypes, shapes, profiles and, for plans, what built them. */
@Command(name = "inspect", mixinStandardHelpOptions = true, description = "Describe a plan or ONNX model.")
final class InspectCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(index = "0", description = "M.plan or M.onnx (URI or path).")
  String model;

  @Option(names = "--json", description = "Print JSON for machines.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    ModelArtifact a = ArtifactLoader.load(model);
    ModelSignature sig = Engines.signature(a, ResolvedConfig.defaults());
    PlanMetadata side = a.sidecar().orElse(null);
    if (json) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("model", a.uri());
      m.put("kind", a.kind().name());
      m.put("bytes", a.size());
      m.put("sha256", a.sha256());
      m.put("inputs", tensors(sig.inputs()));
      m.put("outputs", tensors(sig.outputs()));
      if (side != null) {
        m.put("tensorrtVersion", side.tensorrtVersion());
        m.put("gpu", side.gpuName());
        m.put("computeCapability", side.computeCapability());
        m.put("builderOptions", side.builderOptions());
        m.put("sourceOnnxSha256", side.sourceOnnxSha256());
      }
      out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(m));
      return 0;
    }
    out.printf("model:  %s%nkind:   %s%nbytes:  %d%nsha256: %s%n", a.uri(), a.kind(), a.size(), a.sha256());
    out.print(sig.describe());
    if (side != null) {
      out.printf("built by TensorRT %s for %s (sm_%s)%nbuilder options: %s%nsource ONNX sha256: %s%n", side.tensorrtVersion(),
          side.gpuName(), side.computeCapability().replace(".", ""), side.builderOptions(), side.sourceOnnxSha256());
    } else if (a.kind() == dev.trtspark.engine.model.ModelKind.TENSORRT_PLAN) {
      out.println("no sidecar: TensorRT version and GPU unknown");
    }
    return 0;
  }

  private static List<Map<String, Object>> tensors(List<TensorInfo> ts) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (TensorInfo t : ts) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", t.name());
      m.put("dtype", t.dataType().display());
      m.put("shape", t.shape());
      if (t.isInput()) {
        m.put("min", t.min());
        m.put("opt", t.opt());
        m.put("max", replaceUnbounded(t.max()));
      }
      out.add(m);
    }
    return out;
  }

  private static long[] replaceUnbounded(long[] dims) {
    long[] d = dims.clone();
    for (int i = 0; i < d.length; i++) {
      d[i] = d[i] == TensorInfo.UNBOUNDED ? -1 : d[i];
    }
    return d;
  }
}
