package dev.trtspark.engine.memory;

/**
 * Raw host memory for tensors: page-locked (cudaHostAlloc) where a GPU is usable, so that copies to
 * and from the GPU are asynchronous and run at full PCIe speed; ordinary native memory elsewhere,
 * with the same API ({@code Engines.hostMemory()} picks one). Callers own what they allocate and free it exactly once with the same size.
 * Threading: thread-safe.
 */
public interface HostMemory {
  /** Allocates {@code bytes} (aligned to at least 64 bytes); never returns 0. */
  long allocate(long bytes);

  void free(long address, long bytes);

  /** Whether this memory is page-locked for the GPU. */
  boolean pinned();
}
