package dev.trtspark.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.trtspark.conf.ResolvedConfig;
import dev.trtspark.engine.cache.CacheStats;
import dev.trtspark.engine.cache.EngineCache;
import dev.trtspark.engine.cache.EngineKey;
import dev.trtspark.engine.cache.EngineLease;
import dev.trtspark.engine.cache.SlotLease;
import dev.trtspark.engine.model.ModelArtifact;
import dev.trtspark.engine.ort.OrtBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The per-JVM cache with real ONNX Runtime engines. */
class EngineCacheTest {
  private final OrtBackend ort = new OrtBackend();
  private final ResolvedConfig config = BackendConformance.config();

  @AfterEach
  void reset() {
    EngineCache.resetForTests();
  }

  private EngineCache.LoadSpec counting(ModelArtifact a, AtomicInteger loads, long sleepMs) {
    return new EngineCache.LoadSpec(() -> {
      loads.incrementAndGet();
      try {
        Thread.sleep(sleepMs);
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
      return ort.load(a, -1, config);
    }, 2, 1, 5_000);
  }

  private static EngineKey key(ModelArtifact a) {
    return new EngineKey(a.sha256(), -1, OrtBackend.NAME);
  }

  @Test
  void sixteenThreadsAskingAtOnceCauseOneLoad() throws Exception {
    EngineCache cache = EngineCache.getOrCreate(1L << 30);
    ModelArtifact a = Fixtures.artifact("affine_f32.onnx");
    AtomicInteger loads = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(16);
    List<Future<EngineLease>> leases = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      leases.add(pool.submit(() -> {
        start.await();
        return cache.acquire(key(a), counting(a, loads, 200));
      }));
    }
    start.countDown();
    List<EngineLease> got = new ArrayList<>();
    for (Future<EngineLease> f : leases) {
      got.add(f.get());
    }
    pool.shutdown();
    assertEquals(1, loads.get());
    CacheStats s = cache.stats();
    assertEquals(1, s.loads());
    assertEquals(1, s.misses());
    assertEquals(15, s.hits());
    assertEquals(1, s.engines());
    assertEquals(a.size(), s.bytesHeld());
    assertTrue(s.loadNanos() >= 200_000_000L, "load time counted: " + s);
    got.forEach(EngineLease::close);
  }

  @Test
  void leasedEnginesSurviveTheLimitAndIdleOnesAreEvictedLeastRecentlyUsedFirst() {
    ModelArtifact a = Fixtures.artifact("identity_f32.onnx");
    ModelArtifact b = Fixtures.artifact("affine_f32.onnx");
    ModelArtifact c = Fixtures.artifact("add_i32.onnx");
    EngineCache cache = EngineCache.getOrCreate(b.size() + c.size());
    AtomicInteger loads = new AtomicInteger();
    EngineLease la = cache.acquire(key(a), counting(a, loads, 0));
    EngineLease lb = cache.acquire(key(b), counting(b, loads, 0));
    lb.close();
    la.close();
    cache.acquire(key(b), counting(b, loads, 0)).close(); // b is now more recent than a
    EngineLease lc = cache.acquire(key(c), counting(c, loads, 0));
    CacheStats s = cache.stats();
    assertEquals(1, s.evictions(), s.toString());
    assertEquals(2, s.engines());
    assertEquals(b.size() + c.size(), s.bytesHeld());
    AtomicInteger reloads = new AtomicInteger();
    cache.acquire(key(b), counting(b, reloads, 0)).close();
    assertEquals(0, reloads.get(), "b stayed cached");
    cache.acquire(key(a), counting(a, reloads, 0)).close();
    assertEquals(1, reloads.get(), "a was evicted and loads again");
    lc.close();
  }

  @Test
  void anEngineLargerThanTheLimitStaysWhileLeased() {
    ModelArtifact a = Fixtures.artifact("identity_f32.onnx");
    EngineCache cache = EngineCache.getOrCreate(1);
    EngineLease lease = cache.acquire(key(a), counting(a, new AtomicInteger(), 0));
    assertEquals(1, cache.stats().engines());
    try (SlotLease slot = lease.leaseSlot()) {
      assertEquals("y", slot.signature().outputs().get(0).name());
    }
    lease.close();
    lease.close();
    assertEquals(0, cache.stats().engines(), "evicted once its last lease closed");
  }

  @Test
  void aFailedLoadIsReportedToEveryWaiterAndRetriedLater() {
    EngineCache cache = EngineCache.getOrCreate(1L << 30);
    ModelArtifact a = Fixtures.artifact("identity_f32.onnx");
    EngineCache.LoadSpec failing = new EngineCache.LoadSpec(() -> {
      throw new EngineException("disk on fire");
    }, 1, 1, 1000);
    EngineException e = assertThrows(EngineException.class, () -> cache.acquire(key(a), failing));
    assertEquals("disk on fire", e.getMessage());
    assertEquals(1, cache.stats().loadFailures());
    AtomicInteger loads = new AtomicInteger();
    cache.acquire(key(a), counting(a, loads, 0)).close();
    assertEquals(1, loads.get());
  }

  @Test
  void theSingletonKeepsTheLimitItWasCreatedWith() {
    EngineCache first = EngineCache.getOrCreate(123);
    assertSame(first, EngineCache.getOrCreate(456));
    assertEquals(123, first.maxBytes());
  }

  @Test
  void enginesFrontDoorReusesTheEngineForTheSameBytes() {
    ModelArtifact a = Fixtures.artifact("identity_f32.onnx");
    try (EngineLease one = Engines.lease(a, 0, config); EngineLease two = Engines.lease(a, 0, config)) {
      assertEquals(one.key(), two.key());
      assertEquals("onnxruntime", one.backendName());
      CacheStats s = EngineCache.existing().orElseThrow().stats();
      assertEquals(1, s.loads());
      assertEquals(1, s.hits());
    }
  }

  @Test
  @SuppressWarnings("try")  // a resource held for its block, never read
  void slotsAreReusedAcrossLeases() {
    ModelArtifact a = Fixtures.artifact("identity_f32.onnx");
    try (EngineLease lease = Engines.lease(a, 0, config)) {
      for (int i = 0; i < 5; i++) {
        try (SlotLease s = lease.leaseSlot()) {
          assertEquals(1, lease.slots().inUse());
        }
      }
      assertEquals(1, lease.slots().created());
      assertEquals(0, lease.slots().inUse());
    }
  }

}
