package dev.trtspark.engine.memory;

import dev.trtspark.engine.EngineException;
import org.bytedeco.javacpp.Pointer;

/** Ordinary native memory (malloc), for hosts without a GPU. */
public final class PlainHostMemory implements HostMemory {
  public static final PlainHostMemory INSTANCE = new PlainHostMemory();

  private PlainHostMemory() {}

  @Override
  public long allocate(long bytes) {
    Pointer p = Pointer.malloc(Math.max(bytes, 1));
    if (p == null || p.isNull()) {
      throw new EngineException("out of native memory allocating " + bytes + " bytes");
    }
    return p.address();
  }

  @Override
  public void free(long address, long bytes) {
    Pointer.free(new NativeAddress(address, bytes));
  }

  @Override
  public boolean pinned() {
    return false;
  }
}
