package dev.trtspark.engine.cache;

import dev.trtspark.conf.TrtConf;
import dev.trtspark.engine.EngineException;
import dev.trtspark.engine.backend.Engine;
import dev.trtspark.engine.backend.ExecutionSlot;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The execution slots of one engine. Owns every slot it created: slots are made lazily, up to
 * {@code maxSlots}, reused by lease after lease, and closed only when the pool is (on eviction).
 * A caller beyond the limit waits up to its timeout, then fails with a message saying what to raise.
 *
 * <p>Threading: thread-safe; a leased slot belongs to the leasing thread until the lease closes.
 */
public final class SlotPool implements AutoCloseable {
  private final Engine engine;
  private final int maxSlots;
  private final int lanes;
  private final Semaphore permits;
  private final Deque<ExecutionSlot> idle = new ArrayDeque<>();
  private int created;
  private boolean closed;

  SlotPool(Engine engine, int maxSlots, int lanes) {
    this.engine = engine;
    this.maxSlots = maxSlots;
    this.lanes = lanes;
    this.permits = new Semaphore(maxSlots, true);
  }

  /**
   * Leases a slot, creating one when none is idle and fewer than the limit exist.
   *
   * @throws EngineException when none frees up within {@code timeoutMs}
   */
  public SlotLease acquire(long timeoutMs) {
    try {
      if (!permits.tryAcquire(timeoutMs, TimeUnit.MILLISECONDS)) {
        throw new EngineException("all " + maxSlots + " execution slots of " + engine.signature().model() + " on "
            + engine.deviceDescription() + " stayed busy for " + timeoutMs + " ms; raise " + TrtConf.SLOTS_PER_ENGINE.key()
            + " or " + TrtConf.SLOT_TIMEOUT_MS.key() + ", or run fewer tasks per executor");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EngineException("interrupted while waiting for an execution slot of " + engine.signature().model(), e);
    }
    ExecutionSlot slot;
    synchronized (this) {
      if (closed) {
        permits.release();
        throw new IllegalStateException("slot pool of " + engine.signature().model() + " is closed");
      }
      slot = idle.pollFirst();
      if (slot == null) {
        created++;
      }
    }
    if (slot == null) {
      try {
        slot = engine.newSlot(lanes);
      } catch (RuntimeException | Error e) {
        synchronized (this) {
          created--;
        }
        permits.release();
        throw e;
      }
    }
    return new SlotLease(this, slot);
  }

  void release(ExecutionSlot slot) {
    boolean closeIt;
    synchronized (this) {
      closeIt = closed;
      if (!closed) {
        idle.addFirst(slot);
      }
    }
    try {
      if (closeIt) {
        slot.close();
      }
    } finally {
      permits.release();
    }
  }

  /** Slots that exist (idle or leased). */
  public synchronized int created() {
    return created;
  }

  /** Slots leased right now. */
  public int inUse() {
    return maxSlots - permits.availablePermits();
  }

  /** Closes idle slots now and leased ones when their leases close. Idempotent. */
  @Override
  public void close() {
    Deque<ExecutionSlot> toClose;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      toClose = new ArrayDeque<>(idle);
      idle.clear();
    }
    RuntimeException first = null;
    for (ExecutionSlot s : toClose) {
      try {
        s.close();
      } catch (RuntimeException e) {
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
