package dev.trtspark.engine.trt;

import dev.trtspark.engine.EngineException;
import dev.trtspark.engine.tensor.DType;
import org.bytedeco.tensorrt.nvinfer.Dims64;

/** TensorRT's element types and dimensions to ours and back. */
final class TrtTypes {
  private TrtTypes() {}

  /**
   * Maps by {@code value}: enum constants returned through the presets do not switch reliably (a
   * switch saw every type as kFLOAT), their values do.
   */
  static DType toDataType(org.bytedeco.tensorrt.global.nvinfer.DataType t, String model, String tensor) {
    for (org.bytedeco.tensorrt.global.nvinfer.DataType k : org.bytedeco.tensorrt.global.nvinfer.DataType.values()) {
      if (k.value == t.value) {
        DType ours = OURS.get(k.name());
        if (ours != null) {
          return ours;
        }
        break;
      }
    }
    throw new EngineException("plan " + model + ": tensor " + tensor + " has TensorRT type value " + t.value
        + "; supported: float32, float16, bfloat16, int8, uint8, int32, int64, bool");
  }

  private static final java.util.Map<String, DType> OURS = java.util.Map.of(
      "kFLOAT", DType.FLOAT32, "kHALF", DType.FLOAT16, "kBF16", DType.BFLOAT16, "kINT8", DType.INT8,
      "kUINT8", DType.UINT8, "kINT32", DType.INT32, "kINT64", DType.INT64, "kBOOL", DType.BOOL);

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
