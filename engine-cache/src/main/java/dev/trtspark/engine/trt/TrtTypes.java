package dev.trtspark.engine.trt;

import dev.trtspark.engine.EngineException;
import dev.trtspark.engine.tensor.DType;
import org.bytedeco.tensorrt.nvinfer.Dims64;

/** TensorRT's element types and dimensions to ours and back. */
final class TrtTypes {
  private TrtTypes() {}

  /**
   * Maps by {@code value}, then by name: enum constants returned through the presets do not switch
   * reliably (a switch saw every type as kFLOAT), their values do.
   */
  static DType toDataType(org.bytedeco.tensorrt.global.nvinfer.DataType t, String model, String tensor) {
    for (org.bytedeco.tensorrt.global.nvinfer.DataType k : org.bytedeco.tensorrt.global.nvinfer.DataType.values()) {
      if (k.value == t.value) {
        return DType.byTrtName(k.name()).orElseThrow(() -> unsupported(model, tensor, k.name()));
      }
    }
    throw unsupported(model, tensor, "value " + t.value);
  }

  private static EngineException unsupported(String model, String tensor, String type) {
    return new EngineException("plan " + model + ": tensor " + tensor + " has TensorRT type " + type + "; supported: "
        + DType.supported());
  }

  static long[] toArray(Dims64 d) {
    long[] a = new long[d.nbDims()];
    for (int i = 0; i < a.length; i++) {
      a[i] = d.d(i);
    }
    return a;
  }

  static Dims64 dims(long... d) {
    Dims64 x = new Dims64();
    x.nbDims(d.length);
    for (int i = 0; i < d.length; i++) {
      x.d(i, d[i]);
    }
    return x;
  }
}
