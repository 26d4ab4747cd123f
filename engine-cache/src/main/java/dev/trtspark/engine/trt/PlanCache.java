package dev.trtspark.engine.trt;

import dev.trtspark.conf.TrtConf;
import dev.trtspark.conf.BuildConf;
import dev.trtspark.conf.ConfigOption;
import dev.trtspark.conf.ResolvedConfig;
import dev.trtspark.engine.EngineException;
import dev.trtspark.engine.model.ArtifactLoader;
import dev.trtspark.engine.model.ModelArtifact;
import dev.trtspark.engine.model.PlanMetadata;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.bytedeco.javacpp.BytePointer;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plans built from ONNX models, kept on any Hadoop FileSystem so that a model is built once per cluster
 * rather than once per executor JVM: an entry is a folder {@code <dir>/<key>/} holding {@code model.plan}
 * and its sidecar {@code model.plan.json} (a plan any trt-spark command can load as it is), the key a
 * sha256 of the ONNX sha256, the TensorRT version, the GPU's name and compute capability and every
 * {@code spark.trt.build.*} value (defaults included, the timing cache left out).
 *
 * <p>An entry is written whole into a temporary folder and renamed into place, and never replaces an
 * entry another writer put there first: concurrent misses both build, one entry wins, the other is
 * dropped. A reader also checks that the sidecar's plan sha256 matches the plan's bytes; anything else
 * is a miss (logged), never deserialized. Stateless; thread-safe.
 */
public final class PlanCache {
  private static final Logger LOG = LoggerFactory.getLogger(PlanCache.class);

  private PlanCache() {}

  /** The cache directory the options name, or empty when caching is off. */
  public static Optional<String> dir(ResolvedConfig config) {
    String d = config.get(dev.trtspark.conf.TrtConf.PLAN_CACHE_DIR).trim();
    if (d.equalsIgnoreCase("off")) {
      return Optional.empty();
    }
    if (!d.isEmpty() && !d.equalsIgnoreCase("local")) {
      return Optional.of(d);
    }
    return localDefault();
  }

  /**
   * {@code <java.io.tmpdir>/trt-spark-plan-cache}, made readable by its owner only; not used when another
   * user owns it (plans are code that runs on the GPU: only this user's builds are loaded).
   */
  private static Optional<String> localDefault() {
    java.nio.file.Path p = java.nio.file.Path.of(System.getProperty("java.io.tmpdir"), "trt-spark-plan-cache");
    try {
      if (!java.nio.file.Files.exists(p)) {
        java.nio.file.Files.createDirectories(p, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
            java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
      }
      String owner = java.nio.file.Files.getOwner(p).getName();
      if (!owner.equals(System.getProperty("user.name"))) {
        LOG.warn("plan cache {} belongs to {}, not to {}: not used (set " + TrtConf.PLAN_CACHE_DIR.key() + ")", p, owner,
            System.getProperty("user.name"));
        return Optional.empty();
      }
      return Optional.of(p.toString());
    } catch (IOException | UnsupportedOperationException e) {
      LOG.warn("no local plan cache at {} ({}); plans are built in memory", p, e.toString());
      return Optional.empty();
    }
  }

  /** The entry's location for this model, build options, TensorRT version and GPU. */
  public static String location(String dir, ModelArtifact onnx, ResolvedConfig config, String tensorrtVersion,
      String gpuName, String computeCapability) {
    TreeMap<String, String> options = new TreeMap<>();
    java.util.Map<String, String> values = config.asStrings();
    for (ConfigOption<?> o : BuildConf.all()) {
      if (o != BuildConf.TIMING_CACHE) {
        options.put(o.key(), String.valueOf(values.get(o.key())));
      }
    }
    String identity = onnx.sha256() + "|" + tensorrtVersion + "|" + gpuName + "|" + computeCapability + "|" + options;
    String key = ModelArtifact.sha256(identity.getBytes(StandardCharsets.UTF_8));
    return new Path(new Path(ArtifactLoader.toPath(dir), key.substring(0, 32)), "model.plan").toString();
  }

  /** The cached plan and its sidecar, when present and whole. */
  static Optional<ModelArtifact> find(String location, Configuration conf) {
    Path plan = ArtifactLoader.toPath(location);
    try {
      FileSystem fs = ArtifactLoader.fileSystem(plan, conf);
      if (!fs.exists(plan) || !fs.exists(new Path(plan + ".json"))) {
        return Optional.empty();
      }
      ModelArtifact a = ArtifactLoader.load(location, conf);
      PlanMetadata m = a.sidecar().orElse(null);
      if (m == null || !a.sha256().equals(m.planSha256())) {
        LOG.warn("plan cache entry {} does not match its sidecar (a torn or concurrent write); building anew", location);
        return Optional.empty();
      }
      return Optional.of(a);
    } catch (IOException | RuntimeException e) {
      LOG.warn("plan cache entry {} cannot be read ({}); building anew", location, e.toString());
      return Optional.empty();
    }
  }

  /**
   * Puts a built plan at {@code location} unless an entry is there already; never fails the caller's job
   * (a read-only or full cache only costs the next executor a build).
   */
  static void put(String location, PlanBuilder.BuiltPlan built, Configuration conf) {
    Path plan = ArtifactLoader.toPath(location);
    Path entry = plan.getParent();
    Path tmp = new Path(entry.getParent(), "." + entry.getName() + "." + UUID.randomUUID() + ".tmp");
    try {
      FileSystem fs = ArtifactLoader.fileSystem(plan, conf);
      try {
        try (FSDataOutputStream out = fs.create(new Path(tmp, plan.getName()), false)) {
          built.writeTo(out);
        }
        try (FSDataOutputStream out = fs.create(new Path(tmp, plan.getName() + ".json"), false)) {
          out.write(built.metadata().toJson().getBytes(StandardCharsets.UTF_8));
        }
        if (fs.exists(entry) && find(location, conf).isEmpty()) {
          // a broken entry (a writer killed mid-rename on a store that renames file by file) is replaced
          LOG.warn("plan cache: replacing the broken entry {}", entry);
          fs.delete(entry, true);
        }
        // a rename onto an existing folder moves the source inside it (HDFS and Hadoop's local FileSystem):
        // the first writer's entry stays whole either way, and what moved inside is removed below
        if (!fs.exists(entry) && fs.rename(tmp, entry)) {
          LOG.info("plan cache: stored {} ({} bytes)", location, built.size());
        }
      } finally {
        Path inside = new Path(entry, tmp.getName());
        if (fs.exists(inside)) {
          fs.delete(inside, true);
        }
        if (fs.exists(tmp)) {
          fs.delete(tmp, true);
        }
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("plan cache: could not store {} ({}); later executors will build the plan again", location, e.toString());
    }
  }

  /**
   * The plan for an ONNX model on {@code dev}: from the cache when there, else built (and stored).
   * With caching off, always built.
   */
  static BytePointer planFor(ModelArtifact onnx, ResolvedConfig config, Cuda.Device dev, String tensorrtVersion) {
    Optional<String> dir = dir(config);
    if (dir.isEmpty()) {
      return PlanBuilder.build(onnx, config, dev.ordinal()).plan();
    }
    String location = location(dir.get(), onnx, config, tensorrtVersion, dev.name(), dev.computeCapability());
    Configuration conf = onnx.hadoopConf();
    Optional<ModelArtifact> hit = find(location, conf);
    if (hit.isPresent()) {
      LOG.info("plan cache: {} for {} (built by TensorRT {} on {})", location, onnx.uri(),
          hit.get().sidecar().get().tensorrtVersion(), hit.get().sidecar().get().gpuName());
      return TrtBackend.planBytes(hit.get());
    }
    PlanBuilder.BuiltPlan built = PlanBuilder.build(onnx, config, dev.ordinal());
    put(location, built, conf);
    return built.plan();
  }

  /** Builds the plan and stores it in the cache (trt-spark build --plan-cache); returns the entry's location. */
  public static String fill(ModelArtifact onnx, ResolvedConfig config, int device) {
    String dir = dir(config).orElseThrow(() -> new EngineException(TrtConf.PLAN_CACHE_DIR.key() + " is off: nothing to fill"));
    Cuda.Device dev = Cuda.device(device);
    String location = location(dir, onnx, config, Cuda.probe().tensorrtVersion(), dev.name(), dev.computeCapability());
    try (PlanBuilder.BuiltPlan built = PlanBuilder.build(onnx, config, device)) {
      put(location, built, onnx.hadoopConf());
    }
    return location;
  }
}
