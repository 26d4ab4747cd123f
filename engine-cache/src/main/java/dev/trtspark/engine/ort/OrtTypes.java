package dev.trtspark.engine.ort;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.TensorInfo.OnnxTensorType;
import dev.trtspark.engine.EngineException;
import dev.trtspark.engine.tensor.DType;

/** ONNX Runtime's element types to ours and back. */
final class OrtTypes {
  private OrtTypes() {}

  static DType toDataType(OnnxTensorType t, String model, String tensor) {
    switch (t) {
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT:
        return DType.FLOAT32;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16:
        return DType.FLOAT16;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_BFLOAT16:
        return DType.BFLOAT16;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT8:
        return DType.INT8;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8:
        return DType.UINT8;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32:
        return DType.INT32;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64:
        return DType.INT64;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL:
        return DType.BOOL;
      default:
        throw new EngineException("model " + model + ": tensor " + tensor + " has element type " + t
            + "; supported: float32, float16, bfloat16, int8, uint8, int32, int64, bool");
    }
  }

  static OnnxJavaType toJavaType(DType t) {
    switch (t) {
      case FLOAT32:
        return OnnxJavaType.FLOAT;
      case FLOAT16:
        return OnnxJavaType.FLOAT16;
      case BFLOAT16:
        return OnnxJavaType.BFLOAT16;
      case INT8:
        return OnnxJavaType.INT8;
      case UINT8:
        return OnnxJavaType.UINT8;
      case INT32:
        return OnnxJavaType.INT32;
      case INT64:
        return OnnxJavaType.INT64;
      case BOOL:
        return OnnxJavaType.BOOL;
      default:
        throw new IllegalArgumentException(t.toString());
    }
  }
}
