package dev.trtspark.engine.model;

import dev.trtspark.engine.EngineException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * A model's bytes with what identifies them: where they came from, their sha256 (the engine-cache
 * key), their kind, and for plans the metadata sidecar when there is one. Immutable; the byte array
 * is not copied on the way out for speed, and must not be modified.
 */
public final class ModelArtifact {
  private final String uri;
  private final byte[] bytes;
  private final String sha256;
  private final ModelKind kind;
  private final PlanMetadata sidecar;

  private ModelArtifact(String uri, byte[] bytes, ModelKind kind, PlanMetadata sidecar) {
    this.uri = uri;
    this.bytes = bytes;
    this.sha256 = sha256(bytes);
    this.kind = kind;
    this.sidecar = sidecar;
  }

  /**
   * @param uri where the bytes came from (for messages)
   * @param sidecar the plan's metadata, or null
   * @throws EngineException when the kind cannot be told from the name or the bytes
   */
  public static ModelArtifact of(String uri, byte[] bytes, PlanMetadata sidecar) {
    byte[] head = new byte[Math.min(8, bytes.length)];
    System.arraycopy(bytes, 0, head, 0, head.length);
    ModelKind kind = ModelKind.detect(uri, head);
    if (kind == null) {
      throw new EngineException("cannot tell what " + uri + " is: neither an ONNX model (.onnx) nor a TensorRT plan "
          + "(.plan/.engine); its first bytes are " + HexFormat.of().formatHex(head));
    }
    if (bytes.length == 0) {
      throw new EngineException("model " + uri + " is empty (0 bytes)");
    }
    if (kind == ModelKind.TENSORRT_PLAN && !ModelKind.hasPlanMagic(head)) {
      throw new EngineException(uri + " is not a TensorRT 10 plan: a plan starts with the bytes \"ftrt\", this file with "
          + HexFormat.of().formatHex(head) + (ModelKind.detect("", head) == ModelKind.ONNX
              ? " (it looks like an ONNX model: name it .onnx, or build a plan from it with trt-spark build)"
              : "; it may be corrupt, truncated or not a model at all: rebuild it with trt-spark build"));
    }
    return new ModelArtifact(uri, bytes, kind, sidecar);
  }

  public String uri() {
    return uri;
  }

  /** Whether an ONNX model has QuantizeLinear and DequantizeLinear nodes (what int8 builds need). */
  public boolean hasQuantizeNodes() {
    String s = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
    return s.contains("QuantizeLinear") && s.contains("DequantizeLinear");
  }

  /** The model bytes; do not modify. */
  public byte[] bytes() {
    return bytes;
  }

  public long size() {
    return bytes.length;
  }

  public String sha256() {
    return sha256;
  }

  public ModelKind kind() {
    return kind;
  }

  public Optional<PlanMetadata> sidecar() {
    return Optional.ofNullable(sidecar);
  }

  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String toString() {
    return uri + " (" + kind + ", " + bytes.length + " bytes, sha256 " + sha256.substring(0, 12) + "...)";
  }
}
