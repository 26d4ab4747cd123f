package dev.trtspark.engine.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import dev.trtspark.engine.memory.NativeAddress;
import org.bytedeco.javacpp.Pointer;

/**
 * A tensor in host memory that somebody else owns: a native address, the bytes available there and
 * a concrete shape (for outputs, the shape is filled in by the slot). The slot reads inputs from, and
 * writes outputs to, these addresses until the batch completes; the caller keeps the memory alive
 * and untouched until then. Pinned memory (cudaHostAlloc) makes the GPU copies asynchronous.
 */
public record HostTensor(long address, long capacityBytes, long[] shape, Object owner) {
  /**
   * @param owner what keeps the memory alive (a direct ByteBuffer: its memory is freed once the buffer
   *     is garbage); held, never used, so that the memory outlives every copy of this tensor
   */
  public HostTensor {
    if (address == 0) {
      throw new IllegalArgumentException("null address");
    }
    if (capacityBytes < 0) {
      throw new IllegalArgumentException("negative capacity");
    }
    shape = shape == null ? null : shape.clone();
  }

  /** Memory that somebody else keeps alive. */
  public HostTensor(long address, long capacityBytes, long[] shape) {
    this(address, capacityBytes, shape, null);
  }

  /** Wraps a direct buffer from its position to its limit. */
  public static HostTensor of(ByteBuffer direct, long[] shape) {
    if (!direct.isDirect()) {
      throw new IllegalArgumentException("HostTensor needs a direct ByteBuffer");
    }
    Pointer p = new Pointer(direct);
    // the buffer rides along: a direct buffer nobody references is freed by the GC while a copy may still read it
    return new HostTensor(p.address() + direct.position(), direct.remaining(), shape, direct);
  }

  /** The same memory with another shape. */
  public HostTensor withShape(long[] newShape) {
    return new HostTensor(address, capacityBytes, newShape, owner);
  }

  /** A slice starting {@code offsetBytes} in, with {@code newShape}. */
  public HostTensor slice(long offsetBytes, long bytes, long[] newShape) {
    if (offsetBytes < 0 || offsetBytes + bytes > capacityBytes) {
      throw new IllegalArgumentException("slice " + offsetBytes + "+" + bytes + " outside " + capacityBytes + " bytes");
    }
    return new HostTensor(address + offsetBytes, bytes, newShape, owner);
  }

  @Override
  public long[] shape() {
    return shape == null ? null : shape.clone();
  }

  /** A direct, native-order view of the first {@code bytes} bytes (no copy). */
  public ByteBuffer view(long bytes) {
    if (bytes > capacityBytes || bytes > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(bytes + " bytes requested from a " + capacityBytes + "-byte tensor");
    }
    return new NativeAddress(address, bytes).asByteBuffer().order(ByteOrder.nativeOrder());
  }

  /** A JavaCPP pointer at this address (for CUDA copies). */
  public Pointer pointer() {
    return new NativeAddress(address, capacityBytes);
  }
}
