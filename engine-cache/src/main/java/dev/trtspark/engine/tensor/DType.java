package dev.trtspark.engine.tensor;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Element types a model tensor can have: their size and their names in ONNX and TensorRT, so that each
 * backend maps its own types by name (a new type is one constant here and one row of arrow-io's
 * conversion table, {@code ElementType}).
 */
public enum DType {
  FLOAT32(4, "FLOAT", "kFLOAT"),
  FLOAT16(2, "FLOAT16", "kHALF"),
  BFLOAT16(2, "BFLOAT16", "kBF16"),
  INT8(1, "INT8", "kINT8"),
  UINT8(1, "UINT8", "kUINT8"),
  INT32(4, "INT32", "kINT32"),
  INT64(8, "INT64", "kINT64"),
  BOOL(1, "BOOL", "kBOOL");

  private final int bytes;
  private final String onnx;
  private final String trt;

  DType(int bytes, String onnx, String trt) {
    this.bytes = bytes;
    this.onnx = onnx;
    this.trt = trt;
  }

  /** Bytes per element. */
  public int bytes() {
    return bytes;
  }

  /** Lower-case name as shown to users ("float32"). */
  public String display() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The ONNX name of the type (TensorProto.DataType: "FLOAT", "FLOAT16", ...), which ONNX Runtime's
   * {@code OnnxJavaType} and {@code OnnxTensorType} (after its prefix) use too.
   */
  public String onnxName() {
    return onnx;
  }

  /** The name of TensorRT's {@code nvinfer1::DataType} constant ("kFLOAT", "kHALF", ...). */
  public String trtName() {
    return trt;
  }

  /** The type whose ONNX name is {@code name}, if we support it. */
  public static Optional<DType> byOnnxName(String name) {
    return Arrays.stream(values()).filter(t -> t.onnx.equals(name)).findFirst();
  }

  /** The type whose TensorRT name is {@code name}, if we support it. */
  public static Optional<DType> byTrtName(String name) {
    return Arrays.stream(values()).filter(t -> t.trt.equals(name)).findFirst();
  }

  /** "float32, float16, ...": every supported type, for messages. */
  public static String supported() {
    return Arrays.stream(values()).map(DType::display).collect(Collectors.joining(", "));
  }
}
