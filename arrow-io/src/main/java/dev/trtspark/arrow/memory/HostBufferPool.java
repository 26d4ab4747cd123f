package dev.trtspark.arrow.memory;

import dev.trtspark.engine.memory.HostMemory;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Keeps freed host buffers (pinned where there is a GPU) by size class (powers of two from 4 KiB) for
 * reuse, so that a task's steady-state batches allocate no new page-locked memory: cudaHostAlloc costs
 * milliseconds, a reuse nothing. Holds at most {@code maxRetainedBytes} idle; beyond that, buffers are
 * returned to the system. Owns every idle buffer and frees them in {@link #clear()}.
 *
 * <p>Threading: thread-safe.
 */
public final class HostBufferPool {
  private static final long MIN_CLASS = 4096;

  private final HostMemory memory;
  private final long maxRetainedBytes;
  private final Map<Long, ArrayDeque<Long>> idle = new HashMap<>();
  private long retainedBytes;
  private long systemAllocations;
  private long reuses;

  public HostBufferPool(HostMemory memory, long maxRetainedBytes) {
    this.memory = memory;
    this.maxRetainedBytes = maxRetainedBytes;
  }

  /** The size class a request of {@code bytes} is served from. */
  public static long sizeClass(long bytes) {
    long c = MIN_CLASS;
    while (c < bytes) {
      c <<= 1;
    }
    return c;
  }

  /** An address of at least {@code sizeClass(bytes)} bytes. */
  public long take(long bytes) {
    long c = sizeClass(bytes);
    synchronized (this) {
      ArrayDeque<Long> q = idle.get(c);
      if (q != null && !q.isEmpty()) {
        retainedBytes -= c;
        reuses++;
        return q.pop();
      }
      systemAllocations++;
    }
    return memory.allocate(c);
  }

  /** Gives back an address from {@link #take} with the same {@code bytes}. */
  public void give(long address, long bytes) {
    long c = sizeClass(bytes);
    synchronized (this) {
      if (retainedBytes + c <= maxRetainedBytes) {
        idle.computeIfAbsent(c, k -> new ArrayDeque<>()).push(address);
        retainedBytes += c;
        return;
      }
    }
    memory.free(address, c);
  }

  public boolean pinned() {
    return memory.pinned();
  }

  /** Allocations that went to the system (cudaHostAlloc / malloc) since creation. */
  public synchronized long systemAllocations() {
    return systemAllocations;
  }

  /** Requests served from idle buffers since creation. */
  public synchronized long reuses() {
    return reuses;
  }

  public synchronized long retainedBytes() {
    return retainedBytes;
  }

  /** Frees every idle buffer. */
  public void clear() {
    Map<Long, ArrayDeque<Long>> drop;
    synchronized (this) {
      drop = new HashMap<>(idle);
      idle.clear();
      retainedBytes = 0;
    }
    drop.forEach((c, q) -> q.forEach(a -> memory.free(a, c)));
  }
}
