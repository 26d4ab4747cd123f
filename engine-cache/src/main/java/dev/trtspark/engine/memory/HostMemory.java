package dev.trtspark.engine.memory;

import dev.trtspark.engine.trt.Cuda;
import dev.trtspark.engine.trt.PinnedHostMemory;

/**
 * Raw host memory for tensors: page-locked (cudaHostAlloc) where a GPU is usable, so that copies to
 * and from the GPU are asynchronous and run at full PCIe speed; ordinary native memory elsewhere,
 * with the same API. Callers own what they allocate and free it exactly once with the same size.
 * Threading: thread-safe.
 */
public interface HostMemory {
  /** Allocates {@code bytes} (aligned to at least 64 bytes); never returns 0. */
  long allocate(long bytes);

  void free(long address, long bytes);

  /** Whether this memory is page-locked for the GPU. */
  boolean pinned();

  /** The best memory this host has: pinned when a GPU and CUDA are usable, else plain native. */
  static HostMemory best() {
    return Cuda.probe().usable() ? PinnedHostMemory.INSTANCE : PlainHostMemory.INSTANCE;
  }

  /** Asks the CUDA driver whether {@code address} lies in page-locked host memory (false without CUDA). */
  static boolean isPinned(long address) {
    return Cuda.probe().usable() && PinnedHostMemory.isPinned(address);
  }
}
