package dev.trtspark.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.trtspark.engine.cache.EngineCache;
import dev.trtspark.engine.cache.EngineLease;
import dev.trtspark.engine.cache.SlotLease;
import dev.trtspark.engine.cache.SlotPool;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SlotPoolTest {
  @AfterEach
  void reset() {
    EngineCache.resetForTests();
  }

  @Test
  @SuppressWarnings("try")  // a resource held for its block, never read
  void poolGrowsToItsLimitThenWaitsAndFailsWithWhatToRaise() {
    var config = BackendConformance.config("slotsPerEngine", "2", "slotTimeoutMs", "200");
    try (EngineLease lease = Engines.lease(Fixtures.artifact("identity_f32.onnx"), 0, config)) {
      SlotLease one = lease.leaseSlot();
      SlotLease two = lease.leaseSlot();
      assertEquals(2, lease.slots().created());
      long t0 = System.nanoTime();
      EngineException e = assertThrows(EngineException.class, lease::leaseSlot);
      assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(190), "waited for the timeout");
      assertTrue(e.getMessage().startsWith("all 2 execution slots of "), e.getMessage());
      assertTrue(e.getMessage().endsWith("stayed busy for 200 ms; raise spark.trt.slotsPerEngine or spark.trt.slotTimeoutMs, "
          + "or run fewer tasks per executor"), e.getMessage());
      one.close();
      one.close();
      try (SlotLease three = lease.leaseSlot()) {
        assertEquals(2, lease.slots().inUse());
      }
      two.close();
      assertEquals(0, lease.slots().inUse());
      assertEquals(2, lease.slots().created());
    }
  }

  @Test
  @SuppressWarnings("try")  // a resource held for its block, never read
  void aWaitingTaskGetsTheSlotAnotherReleases() throws Exception {
    // a timeout far beyond the test, so only the release can end the wait
    var config = BackendConformance.config("slotsPerEngine", "1", "slotTimeoutMs", "600000");
    try (EngineLease lease = Engines.lease(Fixtures.artifact("identity_f32.onnx"), 0, config)) {
      SlotLease held = lease.leaseSlot();
      CompletableFuture<Integer> got = new CompletableFuture<>();
      Thread waiter = new Thread(() -> {
        try (SlotLease s = lease.leaseSlot()) {
          got.complete(lease.slots().inUse());
        } catch (Throwable t) {
          got.completeExceptionally(t);
        }
      }, "slot-waiter");
      waiter.setDaemon(true);
      waiter.start();
      try {
        awaitParkedInAcquire(waiter);
        assertFalse(got.isDone(), "waits while the only slot is leased");
        assertEquals(1, lease.slots().created(), "and makes no slot beyond the limit");
        held.close();
        assertEquals(1, got.get(10, TimeUnit.SECONDS));
        waiter.join(TimeUnit.SECONDS.toMillis(10));
        assertEquals(0, lease.slots().inUse());
      } finally {
        waiter.interrupt(); // a failed assertion must not leave it waiting out the timeout
      }
    }
  }

  /**
   * Returns once {@code t} is parked inside {@link SlotPool#acquire}: there it waits only on the pool's
   * permits (its lock would show as BLOCKED), so the thread is queued for a slot, not on its way to one.
   */
  private static void awaitParkedInAcquire(Thread t) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!(t.getState() == Thread.State.TIMED_WAITING && Arrays.stream(t.getStackTrace())
        .anyMatch(f -> f.getClassName().equals(SlotPool.class.getName()) && f.getMethodName().equals("acquire")))) {
      assertTrue(t.isAlive(), t.getName() + " ended without waiting");
      assertTrue(System.nanoTime() < deadline, t.getName() + " did not start waiting for a slot within 30 s");
      Thread.sleep(1);
    }
  }

  @Test
  void aClosedSlotLeaseCannotSubmit() {
    try (EngineLease lease = Engines.lease(Fixtures.artifact("identity_f32.onnx"), 0, BackendConformance.config())) {
      SlotLease s = lease.leaseSlot();
      s.close();
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> s.submit(java.util.Map.of(), java.util.Map.of()));
      assertEquals("slot lease is closed", e.getMessage());
    }
  }
}
