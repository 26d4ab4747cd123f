package dev.trtspark.engine.memory;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;

/**
 * A JavaCPP pointer at a raw address owned by someone else (it frees nothing): the one way this
 * project turns an address into something CUDA calls and direct buffers accept.
 */
public final class NativeAddress extends BytePointer {
  /**
   * @param at the address (named so that it cannot be confused with the inherited field)
   * @param bytes how many bytes may be read or written there
   */
  public NativeAddress(long at, long bytes) {
    super((Pointer) null);
    this.address = at;
    this.capacity = bytes;
    this.limit = bytes;
  }
}
