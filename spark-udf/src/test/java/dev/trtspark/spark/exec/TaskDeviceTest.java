package dev.trtspark.spark.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.trtspark.conf.ConfigResolver;
import dev.trtspark.conf.ResolvedConfig;
import dev.trtspark.engine.Engines;
import java.util.Map;
import java.util.Properties;
import org.apache.spark.TaskContext;
import org.apache.spark.TaskContextImpl;
import org.apache.spark.executor.TaskMetrics;
import org.apache.spark.resource.ResourceInformation;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link TaskDevice#choose}: a fixed {@code spark.trt.device}, else the task's {@code gpu} resource, else
 * the executor's visible GPUs round-robin by partition. Tasks are Spark's own {@link TaskContextImpl}
 * with only the resources set, as an executor builds them for a task that was given GPUs.
 */
class TaskDeviceTest {
  private static final ResolvedConfig AUTO = ConfigResolver.resolve(Map.of(), Map.of());

  @Test
  void aFixedDeviceWinsOverTheTasksGpu() {
    assertEquals(1, TaskDevice.choose(task("3"), device("1"), 0));
  }

  @Test
  void aFixedDeviceNeedsNoTask() {
    assertEquals(2, TaskDevice.choose(null, device("2"), 7));
  }

  @Test
  void autoTakesTheFirstAddressOfTheTasksGpuResource() {
    assertEquals(3, TaskDevice.choose(task("3", "5"), AUTO, 0));
  }

  @Test
  void autoIgnoresThePartitionWhenTheTaskHasAGpu() {
    assertEquals(3, TaskDevice.choose(task("3"), AUTO, 1));
    assertEquals(3, TaskDevice.choose(task("3"), AUTO, 2));
  }

  @Test
  void anAddressThatIsNotAnOrdinalSaysWhatTheDiscoveryScriptMustReport() {
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> TaskDevice.choose(task("GPU-3dc5536b"), AUTO, 0));
    org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("'GPU-3dc5536b' is not a CUDA ordinal")
        && e.getMessage().contains("nvidia-smi --query-gpu=index"), e.getMessage());
  }

  @Test
  void whitespaceAroundTheAddressIsIgnored() {
    assertEquals(2, TaskDevice.choose(task(" 2 "), AUTO, 0));
    assertEquals(4, TaskDevice.choose(task("\t4\n", "0"), AUTO, 0));
  }

  @Test
  void withoutAGpuAnywhereThereIsNoDevice() {
    assumeFalse(Engines.gpuProbe().usable(), "skipped: this host has a usable GPU, see the gpu-tagged round-robin test");
    assertEquals(-1, TaskDevice.choose(null, AUTO, 0));
    assertEquals(-1, TaskDevice.choose(task(), AUTO, 1), "a task without a gpu resource");
    assertEquals(-1, TaskDevice.choose(taskWithGpu(new String[0]), AUTO, 2), "a gpu resource without addresses");
  }

  @Test
  @Tag("gpu")
  void withoutAGpuResourceTheVisibleGpusAreSharedRoundRobinByPartition() {
    assumeTrue(Engines.gpuProbe().usable(), "skipped: no usable GPU with TensorRT here (" + Engines.gpuProbe().problem() + ")");
    int visible = Engines.gpuProbe().devices();
    for (int partition = 0; partition < 2 * visible + 1; partition++) {
      assertEquals(partition % visible, TaskDevice.choose(null, AUTO, partition), "partition " + partition);
      assertEquals(partition % visible, TaskDevice.choose(task(), AUTO, partition), "partition " + partition + ", no gpu");
      assertEquals(partition % visible, TaskDevice.choose(taskWithGpu(new String[0]), AUTO, partition),
          "partition " + partition + ", gpu without addresses");
    }
  }

  private static ResolvedConfig device(String value) {
    return ConfigResolver.resolve(Map.of("device", value), Map.of());
  }

  /** A task given these addresses of the {@code gpu} resource; none: a task without it. */
  private static TaskContext task(String... gpuAddresses) {
    return gpuAddresses.length == 0 ? context(scala.collection.immutable.Map$.MODULE$.empty())
        : taskWithGpu(gpuAddresses);
  }

  private static TaskContext taskWithGpu(String[] addresses) {
    return context(new scala.collection.immutable.Map.Map1<>("gpu", new ResourceInformation("gpu", addresses)));
  }

  private static TaskContext context(scala.collection.immutable.Map<String, ResourceInformation> resources) {
    // stage 0, attempt 0, partition 0, task 0, attempt 0 of 1 partition; no memory manager or metrics system
    return new TaskContextImpl(0, 0, 0, 0L, 0, 1, null, new Properties(), null, TaskMetrics.empty(), 1, resources);
  }
}
