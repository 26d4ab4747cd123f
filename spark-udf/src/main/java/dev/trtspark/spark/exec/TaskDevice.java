package dev.trtspark.spark.exec;

import dev.trtspark.conf.DeviceChoice;
import dev.trtspark.conf.ResolvedConfig;
import dev.trtspark.conf.TrtConf;
import dev.trtspark.engine.Engines;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;

/**
 * The GPU a task runs on: a fixed {@code spark.trt.device}; else the task's {@code gpu} resource when
 * Spark GPU scheduling is on (its first address, a CUDA ordinal; fractional amounts let several tasks
 * share it); else the executor's visible GPUs round-robin by partition. -1 when there is none.
 */
public final class TaskDevice {
  private TaskDevice() {}

  public static int choose(TaskContext task, ResolvedConfig config, int partition) {
    DeviceChoice fixed = config.get(TrtConf.DEVICE);
    if (!fixed.isAuto()) {
      return fixed.ordinal();
    }
    ResourceInformation gpu = task == null ? null : task.resourcesJMap().get("gpu");
    if (gpu != null && gpu.addresses().length > 0) {
      String address = gpu.addresses()[0].trim();
      try {
        return Integer.parseInt(address);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("the task's gpu resource address '" + address + "' is not a CUDA ordinal: "
            + "the GPU discovery script (spark.executor.resource.gpu.discoveryScript, or the worker's) must report "
            + "ordinals 0, 1, ... as nvidia-smi --query-gpu=index prints them, not UUIDs or names");
      }
    }
    int count = Engines.gpuProbe().usable() ? Engines.gpuProbe().devices() : 0;
    return count > 0 ? partition % count : -1;
  }
}
