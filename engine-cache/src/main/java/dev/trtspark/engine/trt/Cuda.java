package dev.trtspark.engine.trt;

import static org.bytedeco.cuda.global.cudart.cudaGetDeviceCount;
import static org.bytedeco.cuda.global.cudart.cudaGetDeviceProperties;
import static org.bytedeco.cuda.global.cudart.cudaGetErrorString;
import static org.bytedeco.cuda.global.cudart.cudaSetDevice;

import dev.trtspark.engine.EngineException;
import org.bytedeco.cuda.cudart.cudaDeviceProp;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.tensorrt.global.nvinfer;

/**
 * CUDA and TensorRT availability, device facts and error checks. The probe runs once per JVM: on a
 * host without an NVIDIA driver or without the TensorRT libraries it reports why, instead of failing
 * at the first native call.
 */
public final class Cuda {
  private static volatile Probe probe;

  /** Result of loading CUDA and TensorRT: device count, TensorRT version, or why they are missing. */
  public record Probe(int devices, String tensorrtVersion, String problem) {
    public boolean usable() {
      return problem == null && devices > 0;
    }
  }

  /** A GPU as plans care about it. */
  public record Device(int ordinal, String name, String computeCapability) {
    @Override
    public String toString() {
      return "GPU " + ordinal + " (" + name + ", sm_" + computeCapability.replace(".", "") + ")";
    }
  }

  private Cuda() {}

  /** Loads CUDA and TensorRT once; never throws. */
  public static Probe probe() {
    Probe p = probe;
    if (p == null) {
      synchronized (Cuda.class) {
        p = probe;
        if (p == null) {
          probe = p = doProbe();
        }
      }
    }
    return p;
  }

  private static Probe doProbe() {
    int[] count = new int[1];
    try {
      Loader.load(org.bytedeco.cuda.global.cudart.class);
      int rc = cudaGetDeviceCount(count);
      if (rc != 0) {
        return new Probe(0, null, "no usable CUDA device: " + errorString(rc));
      }
      if (count[0] == 0) {
        return new Probe(0, null, "no CUDA device");
      }
    } catch (Throwable t) {
      return new Probe(0, null, "the CUDA runtime does not load (" + t + ")");
    }
    try {
      Loader.load(nvinfer.class);
      return new Probe(count[0], versionString(nvinfer.getInferLibVersion()), null);
    } catch (Throwable t) {
      return new Probe(count[0], null, "the TensorRT 10.6 libraries do not load (" + t + ")");
    }
  }

  static String versionString(int v) {
    // TensorRT 10 encodes major * 10000 + minor * 100 + patch
    return (v / 10000) + "." + (v / 100 % 100) + "." + (v % 100);
  }

  /** Makes {@code ordinal} the calling thread's current device; every CUDA call site does this first. */
  static void setDevice(int ordinal) {
    check(cudaSetDevice(ordinal), "cudaSetDevice(" + ordinal + ")");
  }

  public static Device device(int ordinal) {
    Probe p = probe();
    if (!p.usable()) {
      throw new EngineException("TensorRT cannot run here: " + p.problem());
    }
    if (ordinal < 0 || ordinal >= p.devices()) {
      throw new EngineException("GPU " + ordinal + " does not exist; this executor sees " + p.devices() + " GPU(s)");
    }
    try (cudaDeviceProp prop = new cudaDeviceProp()) {
      check(cudaGetDeviceProperties(prop, ordinal), "cudaGetDeviceProperties(" + ordinal + ")");
      return new Device(ordinal, prop.name().getString().trim(), prop.major() + "." + prop.minor());
    }
  }

  /** The device that holds device memory {@code ptr}, as the driver reports it ({@code cudaPointerGetAttributes}). */
  static int deviceOf(org.bytedeco.javacpp.Pointer ptr) {
    try (org.bytedeco.cuda.cudart.cudaPointerAttributes a = new org.bytedeco.cuda.cudart.cudaPointerAttributes()) {
      check(org.bytedeco.cuda.global.cudart.cudaPointerGetAttributes(a, ptr), "cudaPointerGetAttributes");
      return a.device();
    }
  }

  /** Free and total bytes of device {@code ordinal} ({@code cudaMemGetInfo}). */
  public static long[] memInfo(int ordinal) {
    setDevice(ordinal);
    try (org.bytedeco.javacpp.SizeTPointer free = new org.bytedeco.javacpp.SizeTPointer(1);
        org.bytedeco.javacpp.SizeTPointer total = new org.bytedeco.javacpp.SizeTPointer(1)) {
      check(org.bytedeco.cuda.global.cudart.cudaMemGetInfo(free, total), "cudaMemGetInfo");
      return new long[] {free.get(), total.get()};
    }
  }

  /** "F of T MiB free on GPU n", or why that is unknown; never throws. */
  static String memSummary(int ordinal) {
    try {
      long[] m = memInfo(ordinal);
      return (m[0] >> 20) + " of " + (m[1] >> 20) + " MiB free on GPU " + ordinal;
    } catch (RuntimeException e) {
      return "free GPU memory unknown (" + e.getMessage() + ")";
    }
  }

  static void check(int rc, String what) {
    if (rc != 0) {
      throw new EngineException(what + " failed: CUDA error " + rc + " (" + errorString(rc) + ")");
    }
  }

  static String errorString(int rc) {
    try {
      return cudaGetErrorString(rc).getString();
    } catch (Throwable t) {
      return "code " + rc;
    }
  }
}
