package dev.trtspark.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.trtspark.engine.memory.HostMemory;
import dev.trtspark.engine.memory.NativeAddress;
import dev.trtspark.engine.memory.PlainHostMemory;
import dev.trtspark.engine.tensor.HostTensor;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class HostMemoryTest {
  @Test
  void nativeAddressPointsWhereItIsTold() {
    assertEquals(0x1234_5678L, new NativeAddress(0x1234_5678L, 8).address());
  }

  @Test
  void hostMemoryIsWritableThroughATensorViewAndFreedOnce() {
    HostMemory m = dev.trtspark.engine.Engines.hostMemory();
    long a = m.allocate(4096);
    ByteBuffer b = new HostTensor(a, 4096, new long[] {1024}).view(4096);
    b.putFloat(4092, 42.5f);
    assertEquals(42.5f, new HostTensor(a, 4096, null).view(4096).getFloat(4092));
    m.free(a, 4096);
  }

  @Test
  void plainMemoryIsNotPinned() {
    long a = PlainHostMemory.INSTANCE.allocate(64);
    assertEquals(false, dev.trtspark.engine.Engines.isPinned(a));
    PlainHostMemory.INSTANCE.free(a, 64);
  }
}
