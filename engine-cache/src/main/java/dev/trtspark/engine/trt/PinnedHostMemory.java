package dev.trtspark.engine.trt;

import static org.bytedeco.cuda.global.cudart.cudaFreeHost;
import static org.bytedeco.cuda.global.cudart.cudaHostAlloc;
import static org.bytedeco.cuda.global.cudart.cudaHostAllocPortable;
import static org.bytedeco.cuda.global.cudart.cudaMemoryTypeHost;
import static org.bytedeco.cuda.global.cudart.cudaPointerGetAttributes;

import dev.trtspark.engine.memory.HostMemory;
import dev.trtspark.engine.memory.NativeAddress;
import org.bytedeco.cuda.cudart.cudaPointerAttributes;
import org.bytedeco.javacpp.Pointer;

/**
 * Page-locked host memory from {@code cudaHostAlloc(..., cudaHostAllocPortable)}: pinned for every
 * GPU of the process, so one buffer serves any device's stream.
 */
public final class PinnedHostMemory implements HostMemory {
  public static final PinnedHostMemory INSTANCE = new PinnedHostMemory();

  private PinnedHostMemory() {}

  @Override
  public long allocate(long bytes) {
    Pointer p = new Pointer();
    Cuda.check(cudaHostAlloc(p, Math.max(bytes, 1), cudaHostAllocPortable), "cudaHostAlloc(" + bytes + " bytes)");
    return p.address();
  }

  @Override
  public void free(long address, long bytes) {
    Cuda.check(cudaFreeHost(new NativeAddress(address, bytes)), "cudaFreeHost");
  }

  @Override
  public boolean pinned() {
    return true;
  }

  /** What the CUDA driver says about {@code address}. */
  public static boolean isPinned(long address) {
    try (cudaPointerAttributes attrs = new cudaPointerAttributes()) {
      return cudaPointerGetAttributes(attrs, new NativeAddress(address, 1)) == 0 && attrs.type() == cudaMemoryTypeHost;
    }
  }
}
