package dev.trtspark.engine.model;

import dev.trtspark.conf.BuildFlags;
import dev.trtspark.conf.BuildConf;
import dev.trtspark.engine.EngineException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Checks a plan's sidecar against the running TensorRT, the device and the options a user asked for,
 * before any native call sees the plan: TensorRT refuses (or crashes on) plans of another version or
 * GPU architecture, and the fix is always the same, a rebuild, so the message says how.
 */
public final class PlanCompatibility {
  private PlanCompatibility() {}

  /**
   * @param runtimeVersion running TensorRT, "10.6.0"
   * @param deviceName and {@code computeCapability} ("9.0") of the GPU that will run it
   * @param requested builder options the user set explicitly (key -&gt; value as written); each must
   *     match the sidecar's
   */
  public static void check(ModelArtifact plan, String runtimeVersion, String deviceName, String computeCapability,
      Map<String, String> requested) {
    PlanMetadata m = plan.sidecar().orElse(null);
    if (m == null) {
      return;
    }
    List<String> problems = new ArrayList<>();
    if (m.planSha256() != null && !m.planSha256().equalsIgnoreCase(plan.sha256())) {
      problems.add("the sidecar describes another plan (sha256 " + m.planSha256() + ", this plan's is " + plan.sha256() + ")");
    }
    boolean versionCompatible = "true".equals(m.builderOptions() == null ? null
        : m.builderOptions().get(BuildConf.VERSION_COMPATIBLE.key()));
    if (!sameMinor(m.tensorrtVersion(), runtimeVersion)
        && !(versionCompatible && major(m.tensorrtVersion()).equals(major(runtimeVersion))
            && compare(runtimeVersion, m.tensorrtVersion()) >= 0)) {
      problems.add("it was built by TensorRT " + m.tensorrtVersion() + " and this executor runs TensorRT " + runtimeVersion);
    }
    if (!m.computeCapability().equals(computeCapability)) {
      problems.add("it was built for " + m.gpuName() + " (sm_" + m.computeCapability().replace(".", "") + ") and this "
          + "executor's GPU is " + deviceName + " (sm_" + computeCapability.replace(".", "") + ")");
    }
    if (requested != null && m.builderOptions() != null) {
      requested.forEach((k, v) -> {
        String built = m.builderOptions().get(k);
        if (built != null && !built.equals(v)) {
          problems.add("it was built with " + k + "=" + built + " but " + k + "=" + v + " was asked for");
        }
      });
    }
    if (!problems.isEmpty()) {
      throw new EngineException("plan " + plan.uri() + " cannot run here: " + String.join("; ", problems)
          + ". Rebuild it on this kind of executor: " + rebuildCommand(plan, m));
    }
  }

  static String rebuildCommand(ModelArtifact plan, PlanMetadata m) {
    StringBuilder b = new StringBuilder(BuildFlags.command(BuildFlags.ONNX,
        m.sourceOnnx() == null ? "<model.onnx>" : m.sourceOnnx(), BuildFlags.OUTPUT, plan.uri()));
    if (m.builderOptions() != null) {
      String precision = m.builderOptions().get(BuildConf.PRECISION.key());
      if (precision != null) {
        java.util.List<String> all = java.util.Arrays.stream(precision.split(",")).map(String::trim).toList();
        for (String p : all) {
          if (!p.equals("fp32")) {
            b.append(' ').append(BuildFlags.precision(p));
          }
        }
        if (!all.contains("tf32")) {
          b.append(' ').append(BuildFlags.NO_TF32);  // TF32 is the build's default: strict fp32 must say so
        }
      }
    }
    return b.toString();
  }

  private static String major(String v) {
    return v.split("\\.")[0];
  }

  private static boolean sameMinor(String a, String b) {
    String[] x = a.split("\\.");
    String[] y = b.split("\\.");
    return x.length >= 2 && y.length >= 2 && x[0].equals(y[0]) && x[1].equals(y[1]);
  }

  private static int compare(String a, String b) {
    String[] x = a.split("\\.");
    String[] y = b.split("\\.");
    for (int i = 0; i < Math.max(x.length, y.length); i++) {
      int p = i < x.length ? Integer.parseInt(x[i]) : 0;
      int q = i < y.length ? Integer.parseInt(y[i]) : 0;
      if (p != q) {
        return Integer.compare(p, q);
      }
    }
    return 0;
  }
}
