package dev.trtspark.engine.model;

import java.util.Locale;

/** What a model file is: an ONNX graph (runs anywhere) or a serialized TensorRT engine (one GPU type). */
public enum ModelKind {
  ONNX,
  TENSORRT_PLAN;

  /**
   * Tells the kind from the file name, else from the first bytes: ONNX files are protobuf
   * {@code ModelProto}s whose first field is {@code ir_version} (byte 0x08); TensorRT 10 plans start
   * with the magic "ftrt".
   *
   * @return null when neither applies
   */
  /** Whether the bytes start with a TensorRT 10 plan's magic "ftrt". */
  static boolean hasPlanMagic(byte[] head) {
    return head.length >= 4 && head[0] == 'f' && head[1] == 't' && head[2] == 'r' && head[3] == 't';
  }

  static ModelKind detect(String name, byte[] head) {
    String n = name.toLowerCase(Locale.ROOT);
    if (n.endsWith(".onnx")) {
      return ONNX;
    }
    if (n.endsWith(".plan") || n.endsWith(".engine") || n.endsWith(".trt")) {
      return TENSORRT_PLAN;
    }
    if (hasPlanMagic(head)) {
      return TENSORRT_PLAN;
    }
    if (head.length >= 1 && head[0] == 0x08) {
      return ONNX;
    }
    return null;
  }
}
