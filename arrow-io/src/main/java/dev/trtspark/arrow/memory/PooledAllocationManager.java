package dev.trtspark.arrow.memory;

import org.apache.arrow.memory.AllocationManager;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.netty.NettyAllocationManager;

/**
 * Arrow memory from a {@link HostBufferPool}: every buffer of a vector allocated under
 * {@link TensorAllocators} lives in (pinned) pool memory, so the GPU copies straight out of, and into,
 * Arrow vectors. Arrow's ledger does the reference counting; this class only holds the address and
 * gives it back to the pool in {@link #release0()}, which Arrow calls exactly once.
 */
final class PooledAllocationManager extends AllocationManager {
  private final HostBufferPool pool;
  private final long address;
  private final long size;

  private PooledAllocationManager(BufferAllocator accountingAllocator, HostBufferPool pool, long size) {
    super(accountingAllocator);
    this.pool = pool;
    this.size = size;
    this.address = pool.take(size);
  }

  static Factory factory(HostBufferPool pool) {
    return new Factory() {
      @Override
      public AllocationManager create(BufferAllocator accountingAllocator, long size) {
        return new PooledAllocationManager(accountingAllocator, pool, size);
      }

      @Override
      public ArrowBuf empty() {
        return NettyAllocationManager.FACTORY.empty();
      }
    };
  }

  @Override
  public long getSize() {
    return size;
  }

  @Override
  protected long memoryAddress() {
    return address;
  }

  @Override
  protected void release0() {
    pool.give(address, size);
  }
}
