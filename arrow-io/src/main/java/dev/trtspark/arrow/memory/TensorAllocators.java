package dev.trtspark.arrow.memory;

import dev.trtspark.engine.memory.HostMemory;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * The JVM's Arrow root allocator for tensor data: buffers come from a {@link HostBufferPool} of
 * page-locked memory where a GPU is usable (plain native memory elsewhere, same API). Each task takes
 * a child allocator and closes it when done; closing one that still holds memory throws, with the
 * allocator tree, which is how tests catch leaks.
 *
 * <p>Threading: thread-safe; created lazily, once per JVM, with the pool limit given first.
 */
public final class TensorAllocators {
  private static TensorAllocators instance;

  private final HostBufferPool pool;
  private final RootAllocator root;

  /** Idle time after which a pooled buffer is freed, when the first caller gives none. */
  public static final long DEFAULT_IDLE_MS = 30_000;

  private TensorAllocators(HostMemory memory, long poolMaxBytes, long idleMs) {
    this.poolMaxBytes = poolMaxBytes;
    this.idleMs = idleMs;
    this.pool = new HostBufferPool(memory, poolMaxBytes, java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(idleMs),
        System::nanoTime);
    this.root = new RootAllocator(RootAllocator.configBuilder()
        .allocationManagerFactory(PooledAllocationManager.factory(pool)).build());
    java.util.concurrent.ScheduledExecutorService sweeper =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
          Thread t = new Thread(r, "trt-pinned-pool-sweeper");
          t.setDaemon(true);
          return t;
        });
    long period = Math.max(1000, idleMs / 2);
    sweeper.scheduleWithFixedDelay(pool::sweep, period, period, java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  /**
   * The JVM's instance, created on first use with at most {@code poolMaxBytes} of idle buffers, each freed
   * after {@code idleMs} unused ({@code spark.trt.pinnedPool.*}): the first job in an executor JVM fixes
   * them; a later call asking for others gets the same instance and a warning (once per values).
   */
  public static synchronized TensorAllocators getOrCreate(long poolMaxBytes, long idleMs) {
    if (instance == null) {
      instance = new TensorAllocators(dev.trtspark.engine.Engines.hostMemory(), poolMaxBytes, idleMs);
    } else if ((poolMaxBytes != instance.poolMaxBytes || idleMs != instance.idleMs)
        && WARNED.add(poolMaxBytes + "|" + idleMs)) {
      org.slf4j.LoggerFactory.getLogger(TensorAllocators.class).warn("the pinned pool of this JVM keeps {} bytes and "
          + "{} ms; a later job asked for {} bytes and {} ms ({} and {} are fixed by the first job in an executor JVM)",
          instance.poolMaxBytes, instance.idleMs, poolMaxBytes, idleMs,
          dev.trtspark.conf.TrtConf.PINNED_POOL_MAX_BYTES.key(), dev.trtspark.conf.TrtConf.PINNED_POOL_IDLE_MS.key());
    }
    return instance;
  }

  /** The JVM's instance with the default idle time, for tests and benchmarks. */
  public static synchronized TensorAllocators getOrCreate(long poolMaxBytes) {
    return getOrCreate(poolMaxBytes, DEFAULT_IDLE_MS);
  }

  /** The JVM's instance, for a caller that runs after {@link #getOrCreate} (fails before). */
  public static synchronized TensorAllocators existing() {
    if (instance == null) {
      throw new IllegalStateException("no pinned pool in this JVM yet");
    }
    return instance;
  }

  private static final java.util.Set<String> WARNED = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final long poolMaxBytes;
  private final long idleMs;

  /** A child allocator for one task (or test); close it when the task ends. */
  public BufferAllocator newTaskAllocator(String name) {
    return root.newChildAllocator(name, 0, Long.MAX_VALUE);
  }

  /** Whether buffers of this allocator family are page-locked. */
  public boolean pinned() {
    return pool.pinned();
  }

  /** Whether {@code buf} was allocated under this root (and so in pool memory). */
  public boolean owns(ArrowBuf buf) {
    return buf.getReferenceManager().getAllocator().getRoot() == root;
  }

  public HostBufferPool pool() {
    return pool;
  }
}
