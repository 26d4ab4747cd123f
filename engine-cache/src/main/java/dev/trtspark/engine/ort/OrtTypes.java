package dev.trtspark.engine.ort;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.TensorInfo.OnnxTensorType;
import dev.trtspark.engine.EngineException;
import dev.trtspark.engine.tensor.DType;

/** ONNX Runtime's element types to ours and back, by their ONNX names. */
final class OrtTypes {
  private OrtTypes() {}

  private static final String PREFIX = "ONNX_TENSOR_ELEMENT_DATA_TYPE_";

  static DType toDataType(OnnxTensorType t, String model, String tensor) {
    return DType.byOnnxName(t.name().substring(PREFIX.length())).orElseThrow(() -> new EngineException("model " + model
        + ": tensor " + tensor + " has element type " + t.name().substring(PREFIX.length()) + "; supported: "
        + DType.supported()));
  }

  static OnnxJavaType toJavaType(DType t) {
    return OnnxJavaType.valueOf(t.onnxName());
  }
}
