package dev.trtspark.engine.trt;

import dev.trtspark.engine.memory.NativeAddress;
import java.lang.ref.Reference;
import java.lang.reflect.Constructor;
import java.nio.ByteOrder;
import java.util.Locale;
import org.bytedeco.javacpp.Pointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes TensorRT objects that the JavaCPP presets hand out without a way to free them: an
 * {@code ICudaEngine} or {@code IExecutionContext} returned by TensorRT is a plain pointer, and
 * {@code delete engine;} is how TensorRT 10 frees it (the {@code destroy()} methods are gone).
 *
 * <p>How: every such class derives from {@code nvinfer1::INoCopy}, whose only virtual function is
 * its destructor, so under the Itanium C++ ABI (Linux, x86-64 and aarch64) the object's vtable holds
 * the complete destructor in slot 0 and the deleting destructor ({@code delete p}) in slot 1. We read
 * slot 1 and call it with the object as its only argument through JavaCPP's own native deallocator
 * call ({@code Pointer.NativeDeallocator}: {@code (*fn)(owner)}), which is exactly what
 * {@code delete p} compiles to. No native code of ours is built. Verified on the H100 by device free
 * memory returning after load/evict cycles (docs/troubleshooting.md, GPU test
 * {@code engineEvictionReturnsGpuMemory}).
 *
 * <p>Only for classes deriving from {@code INoCopy} (runtime, engine, execution context, builder,
 * network, builder config, host memory); not for the ONNX parser, whose destructor is not first.
 * {@code -Dtrtspark.deleteTensorRtObjects=false} turns it off (the objects then stay until the JVM
 * exits, as before).
 */
public final class TrtDelete {
  private static final Logger LOG = LoggerFactory.getLogger(TrtDelete.class);
  private static final Constructor<?> NATIVE_DEALLOCATOR = nativeDeallocator();

  private TrtDelete() {}

  private static Constructor<?> nativeDeallocator() {
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    boolean itanium = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")
        && (arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64"));
    if (!itanium || !Boolean.parseBoolean(System.getProperty("trtspark.deleteTensorRtObjects", "true"))) {
      return null;
    }
    try {
      Class<?> c = Class.forName(Pointer.class.getName() + "$NativeDeallocator");
      Constructor<?> k = c.getDeclaredConstructor(Pointer.class, long.class, long.class);
      k.setAccessible(true);
      return k;
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.warn("TensorRT engines and contexts cannot be freed in this JVM ({}); they stay until it exits", e.toString());
      return null;
    }
  }

  /** Whether {@link #delete} frees anything in this JVM. */
  static boolean enabled() {
    return NATIVE_DEALLOCATOR != null;
  }

  /**
   * Runs {@code delete p} on an {@code INoCopy}-derived TensorRT object and nulls {@code p}; does
   * nothing for a null pointer or when disabled. Call it once, after everything that uses the object
   * is gone (contexts before their engine).
   */
  public static void delete(Pointer p) {
    if (p == null || p.isNull() || NATIVE_DEALLOCATOR == null) {
      return;
    }
    long object = p.address();
    long vtable = new NativeAddress(object, 8).asByteBuffer().order(ByteOrder.nativeOrder()).getLong(0);
    long deletingDestructor = new NativeAddress(vtable, 16).asByteBuffer().order(ByteOrder.nativeOrder()).getLong(8);
    try {
      // clear() unregisters the reference and runs the deallocator once: (*deletingDestructor)(object)
      ((Reference<?>) NATIVE_DEALLOCATOR.newInstance(p, object, deletingDestructor)).clear();
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("could not delete a TensorRT object", e);
    }
    p.setNull();
  }
}
