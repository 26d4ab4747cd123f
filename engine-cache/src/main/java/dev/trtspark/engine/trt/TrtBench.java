package dev.trtspark.engine.trt;

import dev.trtspark.conf.ResolvedConfig;
import dev.trtspark.engine.memory.HostMemory;
import dev.trtspark.engine.model.ModelArtifact;
import dev.trtspark.engine.tensor.HostTensor;
import dev.trtspark.engine.tensor.TensorInfo;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The reference points a pipeline is judged against, measured on one engine outside the cache:
 * the engine alone on device-resident data, the naive loop (pinned H2D, enqueueV3, D2H, synchronize,
 * one batch at a time, through {@link TrtSlot#submit}) and the pinned H2D bandwidth. For benchmarks only.
 */
public final class TrtBench {
  private TrtBench() {}

  /** Rows per second of each reference, and the H2D bandwidth in bytes per second. */
  public record Reference(double engineAloneRowsPerSec, double naiveLoopRowsPerSec, double h2dBytesPerSec,
      long inputBytesPerBatch) {}

  /** Measures with every input at {@code shapes} (dimension 0 = rows) for {@code iterations} batches. */
  public static Reference measure(ModelArtifact plan, ResolvedConfig config, int device, Map<String, long[]> shapes,
      int iterations) {
    TrtEngine engine = (TrtEngine) new TrtBackend().load(plan, device, config);
    HostMemory pinned = PinnedHostMemory.INSTANCE;
    Map<String, HostTensor> in = new LinkedHashMap<>();
    Map<String, HostTensor> out = new LinkedHashMap<>();
    Map<Long, Long> allocated = new LinkedHashMap<>();
    TrtSlot slot = new TrtSlot(engine, 1);
    try {
      long rows = 0;
      long inputBytes = 0;
      String firstInput = null;
      for (TensorInfo t : engine.signature().inputs()) {
        long[] shape = shapes.get(t.name());
        long bytes = TensorInfo.elements(shape) * t.dataType().bytes();
        long addr = pinned.allocate(bytes);
        allocated.put(addr, bytes);
        in.put(t.name(), new HostTensor(addr, bytes, shape));
        rows = shape[0];
        inputBytes += bytes;
        firstInput = firstInput == null ? t.name() : firstInput;
      }
      Map<String, long[]> outShapes = slot.outputShapes(shapes);
      for (TensorInfo t : engine.signature().outputs()) {
        long bytes = TensorInfo.elements(outShapes.get(t.name())) * t.dataType().bytes();
        long addr = pinned.allocate(bytes);
        allocated.put(addr, bytes);
        out.put(t.name(), new HostTensor(addr, bytes, null));
      }
      double alone = slot.deviceResidentSeconds(shapes, iterations);
      for (int i = 0; i < 5; i++) {
        slot.submit(in, out).await();
      }
      long t0 = System.nanoTime();
      for (int i = 0; i < iterations; i++) {
        slot.submit(in, out).await();
      }
      double naive = (System.nanoTime() - t0) / 1e9;
      HostTensor h = in.get(firstInput);
      double h2d = slot.h2dSeconds(firstInput, h, h.capacityBytes(), iterations);
      return new Reference(rows * iterations / alone, rows * iterations / naive,
          h.capacityBytes() * (double) iterations / h2d, inputBytes);
    } finally {
      slot.close();
      allocated.forEach(pinned::free);
      engine.close();
    }
  }
}
