package dev.trtspark.engine.trt;

import dev.trtspark.conf.ResolvedConfig;
import dev.trtspark.conf.TrtConf;
import dev.trtspark.engine.EngineException;
import java.util.LinkedHashSet;
import java.util.Set;
import org.bytedeco.tensorrt.global.nvinfer;
import org.bytedeco.tensorrt.global.nvinfer_plugin;
import org.bytedeco.tensorrt.nvinfer.IPluginRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TensorRT plugins, registered before any ONNX parse or plan deserialization in this JVM: TensorRT's
 * standard plugin library ({@code libnvinfer_plugin}: EfficientNMS_TRT, BatchedNMS_TRT, ...) once, and
 * each user plugin library of {@code spark.trt.plugins} once (loaded through TensorRT's plugin registry,
 * whose creators then serve the parser's plugin fallback and plan deserialization alike).
 *
 * <p>Threading: thread-safe (synchronized; the registry is process-wide).
 */
final class TrtPlugins {
  private static final Logger LOG = LoggerFactory.getLogger(TrtPlugins.class);
  private static boolean standard;
  private static final Set<String> loaded = new LinkedHashSet<>();

  private TrtPlugins() {}

  /** Registers the standard plugins and the libraries {@code config} names. */
  static synchronized void register(ResolvedConfig config) {
    if (!standard) {
      if (!nvinfer_plugin.initLibNvInferPlugins(TrtLogger.INSTANCE, "")) {
        LOG.warn("TensorRT's standard plugins did not register ({}); models using them will fail to parse",
            TrtLogger.INSTANCE.lastError());
      }
      standard = true;
    }
    String libs = config.getOptional(TrtConf.PLUGINS).orElse("").trim();
    if (libs.isEmpty()) {
      return;
    }
    IPluginRegistry registry = nvinfer.getPluginRegistry();
    for (String lib : libs.split(",")) {
      String given = lib.trim();
      if (given.isEmpty()) {
        continue;
      }
      java.io.File file = new java.io.File(given);
      if (!file.isFile()) {
        throw new EngineException("plugin library " + given + " (" + TrtConf.PLUGINS.key() + ") is not a file on this host (working "
            + "directory " + new java.io.File("").getAbsolutePath() + "); plugin libraries must be on every executor at "
            + "the same path (ship them with spark-submit --files and give the name, or install them)");
      }
      // absolute and canonical: dlopen would search the library path for a bare name instead of the working
      // directory, and TensorRT refuses a library whose plugins are registered already (the same file by
      // another path)
      String path;
      try {
        path = file.getCanonicalPath();
      } catch (java.io.IOException e) {
        path = file.getAbsolutePath();
      }
      if (loaded.contains(path)) {
        continue;
      }
      IPluginRegistry.PluginLibraryHandle h = registry.loadLibrary(path);
      if (h == null || h.isNull()) {
        throw new EngineException("TensorRT could not load plugin library " + path + ": " + TrtLogger.INSTANCE.lastError());
      }
      loaded.add(path);
      LOG.info("loaded TensorRT plugin library {}", path);
    }
  }
}
