package dev.trtspark.engine.bench;

import dev.trtspark.conf.ConfigResolver;
import dev.trtspark.conf.ResolvedConfig;
import dev.trtspark.engine.Engines;
import dev.trtspark.engine.cache.EngineCache;
import dev.trtspark.engine.cache.EngineLease;
import dev.trtspark.engine.cache.SlotLease;
import dev.trtspark.engine.model.ArtifactLoader;
import dev.trtspark.engine.model.ModelArtifact;
import dev.trtspark.engine.tensor.HostTensor;
import dev.trtspark.engine.tensor.TensorInfo;
import dev.trtspark.engine.trt.Cuda;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * GPU memory across engine load / evict cycles (a notebook loading models in turn): each cycle loads a
 * plan into the engine cache, runs one batch on each of two slots, and evicts it; device free memory
 * ({@code cudaMemGetInfo}) is printed after every cycle. Not a test: run it on a GPU host.
 *
 * <p>usage: EngineMemoryBench PLAN CYCLES ROWS
 */
public final class EngineMemoryBench {
  private EngineMemoryBench() {}

  public static void main(String[] args) {
    ModelArtifact plan = ArtifactLoader.load(args[0]);
    int cycles = Integer.parseInt(args[1]);
    int rows = Integer.parseInt(args[2]);
    ResolvedConfig c = ConfigResolver.resolve(Map.of("spark.trt.backend", "tensorrt", "spark.trt.slotsPerEngine", "2",
        "spark.trt.batchesInFlight", "2"), Map.of());
    long total = Cuda.memInfo(0)[1];
    long before = Cuda.memInfo(0)[0];
    System.out.printf("plan %s (%d MiB), %d cycles, %d rows a batch, delete TensorRT objects: %s%n", args[0],
        plan.size() >> 20, cycles, rows, System.getProperty("trtspark.deleteTensorRtObjects", "true"));
    System.out.printf("cycle  free_MiB  loaded_MiB_used  load_ms%n");
    System.out.printf("%5d  %8d%n", 0, before >> 20);
    long first = -1;
    long last = -1;
    for (int cycle = 1; cycle <= cycles; cycle++) {
      long t0 = System.nanoTime();
      long loadedFree;
      try (EngineLease lease = Engines.lease(plan, 0, c); SlotLease a = lease.leaseSlot(); SlotLease b = lease.leaseSlot()) {
        for (SlotLease s : new SlotLease[] {a, b}) {
          Map<String, HostTensor> in = new LinkedHashMap<>();
          Map<String, long[]> shapes = new LinkedHashMap<>();
          for (TensorInfo t : s.signature().inputs()) {
            long[] shape = t.opt();
            shape[0] = rows;
            in.put(t.name(), HostTensor.of(ByteBuffer.allocateDirect((int) (TensorInfo.elements(shape) * t.dataType().bytes())),
                shape));
            shapes.put(t.name(), shape);
          }
          Map<String, HostTensor> out = new LinkedHashMap<>();
          s.outputShapes(shapes).forEach((name, shape) -> out.put(name, HostTensor.of(ByteBuffer.allocateDirect(
              (int) (TensorInfo.elements(shape) * s.signature().require(name, false).dataType().bytes())), null)));
          s.submit(in, out).await();
        }
        loadedFree = Cuda.memInfo(0)[0];
      }
      EngineCache.resetForTests();
      org.bytedeco.cuda.global.cudart.cudaDeviceSynchronize();
      long free = Cuda.memInfo(0)[0];
      if (cycle == 1) {
        first = free;
      }
      last = free;
      System.out.printf("%5d  %8d  %15d  %7.0f%n", cycle, free >> 20, (free - loadedFree) >> 20, (System.nanoTime() - t0) / 1e6);
    }
    System.out.printf("free after cycle 1: %d MiB, after cycle %d: %d MiB, change %+d MiB = %.3f%% of the GPU's %d MiB "
        + "(before any engine: %d MiB)%n", first >> 20, cycles, last >> 20, (last - first) >> 20,
        100.0 * (last - first) / total, total >> 20, before >> 20);
  }
}
