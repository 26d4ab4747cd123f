package dev.trtspark.arrow.memory;

import dev.trtspark.engine.memory.HostMemory;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Keeps freed host buffers (pinned where there is a GPU) by size class (powers of two from 4 KiB) for
 * reuse, so that a task's steady-state batches allocate no new page-locked memory: cudaHostAlloc costs
 * milliseconds, a reuse nothing. Bounded twice: at most {@code maxRetainedBytes} idle (beyond that,
 * buffers go back to the system at once), and a buffer idle for longer than {@code idleNanos} is freed by
 * the next {@link #sweep()} (the JVM's {@link TensorAllocators} sweeps on a daemon thread), so an executor
 * that stopped running inference gives its page-locked memory back. The most recently returned buffer of
 * a class is reused first, so the ones a steady load does not need age out. Owns every idle buffer and
 * frees them in {@link #clear()}.
 *
 * <p>Threading: thread-safe.
 */
public final class HostBufferPool {
  private static final long MIN_CLASS = 4096;

  private final HostMemory memory;
  private final long maxRetainedBytes;
  private final long idleNanos;
  private final LongSupplier clock;
  /** Per size class: {address, time it became idle}, the most recent first. */
  private final Map<Long, ArrayDeque<long[]>> idle = new HashMap<>();
  private long retainedBytes;
  private long systemAllocations;
  private long reuses;
  private long freedIdle;
  private long liveBytes;

  public HostBufferPool(HostMemory memory, long maxRetainedBytes) {
    this(memory, maxRetainedBytes, Long.MAX_VALUE, System::nanoTime);
  }

  /**
   * @param idleNanos how long a buffer may stay idle before {@link #sweep()} frees it
   * @param clock nanoseconds (System::nanoTime; a test's own clock)
   */
  public HostBufferPool(HostMemory memory, long maxRetainedBytes, long idleNanos, LongSupplier clock) {
    this.memory = memory;
    this.maxRetainedBytes = maxRetainedBytes;
    this.idleNanos = idleNanos;
    this.clock = clock;
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
      ArrayDeque<long[]> q = idle.get(c);
      if (q != null && !q.isEmpty()) {
        retainedBytes -= c;
        reuses++;
        return q.pop()[0];
      }
      systemAllocations++;
      liveBytes += c;
    }
    return memory.allocate(c);
  }

  /** Gives back an address from {@link #take} with the same {@code bytes}. */
  public void give(long address, long bytes) {
    long c = sizeClass(bytes);
    synchronized (this) {
      if (retainedBytes + c <= maxRetainedBytes) {
        idle.computeIfAbsent(c, k -> new ArrayDeque<>()).push(new long[] {address, clock.getAsLong()});
        retainedBytes += c;
        return;
      }
      liveBytes -= c;
    }
    memory.free(address, c);
  }

  /** Frees the buffers idle for longer than the pool's idle time; returns the bytes freed. */
  public long sweep() {
    long now = clock.getAsLong();
    Map<Long, ArrayDeque<Long>> drop = new HashMap<>();
    long bytes = 0;
    synchronized (this) {
      for (Map.Entry<Long, ArrayDeque<long[]>> e : idle.entrySet()) {
        Iterator<long[]> oldestFirst = e.getValue().descendingIterator();
        while (oldestFirst.hasNext()) {
          long[] b = oldestFirst.next();
          if (now - b[1] < idleNanos) {
            break;
          }
          oldestFirst.remove();
          drop.computeIfAbsent(e.getKey(), k -> new ArrayDeque<>()).add(b[0]);
          retainedBytes -= e.getKey();
          liveBytes -= e.getKey();
          bytes += e.getKey();
          freedIdle++;
        }
      }
    }
    drop.forEach((c, q) -> q.forEach(a -> memory.free(a, c)));
    return bytes;
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

  /** Idle buffers freed by {@link #sweep()} since creation. */
  public synchronized long freedIdle() {
    return freedIdle;
  }

  /** Bytes taken from the system and not freed yet: in use plus idle. */
  public synchronized long liveBytes() {
    return liveBytes;
  }

  public synchronized long retainedBytes() {
    return retainedBytes;
  }

  /** Frees every idle buffer. */
  public void clear() {
    Map<Long, ArrayDeque<long[]>> drop;
    synchronized (this) {
      drop = new HashMap<>(idle);
      idle.clear();
      liveBytes -= retainedBytes;
      retainedBytes = 0;
    }
    drop.forEach((c, q) -> q.forEach(a -> memory.free(a[0], c)));
  }
}
