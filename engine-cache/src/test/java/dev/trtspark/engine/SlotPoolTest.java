package dev.trtspark.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.trtspark.engine.cache.EngineCache;
import dev.trtspark.engine.cache.EngineLease;
import dev.trtspark.engine.cache.SlotLease;
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
  void aWaitingTaskGetsTheSlotAnotherReleases() throws Exception {
    var config = BackendConformance.config("slotsPerEngine", "1", "slotTimeoutMs", "5000");
    try (EngineLease lease = Engines.lease(Fixtures.artifact("identity_f32.onnx"), 0, config)) {
      SlotLease held = lease.leaseSlot();
      CompletableFuture<Integer> waiter = CompletableFuture.supplyAsync(() -> {
        try (SlotLease s = lease.leaseSlot()) {
          return lease.slots().inUse();
        }
      });
      Thread.sleep(100);
      assertTrue(!waiter.isDone(), "waits while the only slot is leased");
      held.close();
      assertEquals(1, waiter.get(5, TimeUnit.SECONDS));
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
