package dev.trtspark.engine.cache;

import dev.trtspark.engine.tensor.ModelSignature;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A caller's hold on a cached engine: while any lease is open the engine cannot be evicted. It gives
 * access to the engine's signature and slots, never to the engine. {@link #close()} is idempotent.
 * Threading: thread-safe; slots leased through it are per-thread.
 */
public final class EngineLease implements AutoCloseable {
  private final EngineCache cache;
  private final EngineCache.Entry entry;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final boolean loaded;

  EngineLease(EngineCache cache, EngineCache.Entry entry, boolean loaded) {
    this.cache = cache;
    this.entry = entry;
    this.loaded = loaded;
  }

  /** Whether this acquisition loaded the engine (a cache miss), as opposed to finding it cached. */
  public boolean loadedHere() {
    return loaded;
  }

  public EngineKey key() {
    return entry.key;
  }

  public ModelSignature signature() {
    return entry.engine.signature();
  }

  public String backendName() {
    return entry.engine.backendName();
  }

  public String deviceDescription() {
    return entry.engine.deviceDescription();
  }

  /** Leases an execution slot, waiting up to the timeout captured when the engine was loaded. */
  public SlotLease leaseSlot() {
    return leaseSlot(entry.slotTimeoutMs);
  }

  public SlotLease leaseSlot(long timeoutMs) {
    if (closed.get()) {
      throw new IllegalStateException("engine lease " + entry.key + " is closed");
    }
    return entry.pool.acquire(timeoutMs);
  }

  /** The engine's slot pool, for metrics (created / in use). */
  public SlotPool slots() {
    return entry.pool;
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      cache.release(entry);
    }
  }
}
