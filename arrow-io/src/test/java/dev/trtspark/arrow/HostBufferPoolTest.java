package dev.trtspark.arrow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.trtspark.arrow.memory.HostBufferPool;
import dev.trtspark.engine.memory.HostMemory;
import dev.trtspark.engine.memory.PlainHostMemory;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The host buffer pool stays bounded and gives idle memory back, over a long run with a clock of its own. */
class HostBufferPoolTest {
  /** Native memory that counts what is live. */
  private static final class Counting implements HostMemory {
    long live;
    long peak;

    @Override
    public long allocate(long bytes) {
      live += bytes;
      peak = Math.max(peak, live);
      return PlainHostMemory.INSTANCE.allocate(bytes);
    }

    @Override
    public void free(long address, long bytes) {
      live -= bytes;
      PlainHostMemory.INSTANCE.free(address, bytes);
    }

    @Override
    public boolean pinned() {
      return false;
    }
  }

  @Test
  void aLongRunStaysBoundedAndAnIdlePoolEmpties() {
    Counting memory = new Counting();
    AtomicLong now = new AtomicLong();
    long second = 1_000_000_000L;
    HostBufferPool pool = new HostBufferPool(memory, 64L << 20, 30 * second, now::get);
    Random r = new Random(3);
    // 10,000 batches of 1-4 buffers of up to 4 MiB, every 10 ms, with a sweep every second
    for (int batch = 0; batch < 10_000; batch++) {
      List<long[]> held = new ArrayList<>();
      for (int k = 0, n = 1 + r.nextInt(4); k < n; k++) {
        long bytes = 4096 + r.nextInt(4 << 20);
        held.add(new long[] {pool.take(bytes), bytes});
      }
      held.forEach(h -> pool.give(h[0], h[1]));
      now.addAndGet(10_000_000L);
      if (batch % 100 == 0) {
        pool.sweep();
      }
      assertTrue(pool.retainedBytes() <= 64L << 20, "idle memory within its bound");
    }
    assertTrue(pool.reuses() > 9 * pool.systemAllocations(), "steady state reuses: " + pool.reuses() + " reuses, "
        + pool.systemAllocations() + " allocations");
    assertTrue(memory.peak <= (64L << 20) + 4 * (8L << 20), "peak " + memory.peak);
    assertEquals(memory.live, pool.retainedBytes(), "nothing in use: everything live is idle in the pool");
    assertEquals(memory.live, pool.liveBytes());
    now.addAndGet(29 * second);
    pool.sweep();
    assertTrue(memory.live > 0, "kept while a burst may come back");
    now.addAndGet(2 * second);
    pool.sweep();
    assertEquals(0, memory.live, "idle for more than 30 s: all freed");
    assertEquals(0, pool.liveBytes());
    assertEquals(0, pool.retainedBytes());
    assertTrue(pool.freedIdle() > 0);
  }

  @Test
  void buffersOverTheIdleBoundGoBackAtOnce() {
    Counting memory = new Counting();
    HostBufferPool pool = new HostBufferPool(memory, 8192, Long.MAX_VALUE, System::nanoTime);
    long a = pool.take(4096);
    long b = pool.take(4096);
    long c = pool.take(4096);
    pool.give(a, 4096);
    pool.give(b, 4096);
    pool.give(c, 4096);
    assertEquals(8192, memory.live, "two kept, the third freed");
    pool.clear();
    assertEquals(0, memory.live);
  }
}
