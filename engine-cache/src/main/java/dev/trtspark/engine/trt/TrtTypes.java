package dev.trtspark.engine.trt;

import dev.trtspark.engine.EngineException;
import dev.trtspark.engine.tensor.DataType;
import org.bytedeco.tensorrt.nvinfer.Dims64;

/** TensorRT's element types and dimensions to ours and back. */
final class TrtTypes {
  private TrtTypes() {}

  static DataType toDataType(org.bytedeco.tensorrt.global.nvinfer.DataType t, String model, String tensor) {
    switch (t) {
      case kFLOAT:
        return DataType.FLOAT32;
      case kHALF:
        return DataType.FLOAT16;
      case kBF16:
        return DataType.BFLOAT16;
      case kINT8:
        return DataType.INT8;
      case kUINT8:
        return DataType.UINT8;
      case kINT32:
        return DataType.INT32;
      case kINT64:
        return DataType.INT64;
      case kBOOL:
        return DataType.BOOL;
      default:
        throw new EngineException("plan " + model + ": tensor " + tensor + " has TensorRT type " + t
            + "; supported: float32, float16, bfloat16, int8, uint8, int32, int64, bool");
    }
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
