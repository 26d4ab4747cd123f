package dev.trtspark.engine.model;

import dev.trtspark.conf.BuildFlags;
import dev.trtspark.engine.EngineException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * A model's bytes with what identifies them: where they came from, their sha256 (the engine-cache
 * key), their kind, and for plans the metadata sidecar when there is one. Immutable; the byte array
 * is not copied on the way out for speed, and must not be modified.
 *
 * <p>A model may also be a local file ({@link #localFile()}): every local model is, so that ONNX Runtime
 * and TensorRT's parser read it from its path and find its external data files beside it; and a model
 * over 2 GiB is only a file (hashed as a stream, never in one {@code byte[]}: {@link #bytes()} refuses).
 */
public final class ModelArtifact {
  /** Java arrays stop short of 2 GiB. */
  public static final long MAX_ARRAY_BYTES = Integer.MAX_VALUE - 16;

  private final String uri;
  private final byte[] bytes;
  private final java.nio.file.Path localFile;
  private final long size;
  private final String sha256;
  private final ModelKind kind;
  private final PlanMetadata sidecar;
  /** {@link #externalDataFiles()}, found once (a scan of the whole model). */
  private volatile java.util.Set<String> externalData;
  /** The Hadoop configuration of the job that loaded it (for the plan cache and files beside it); null: defaults. */
  private org.apache.hadoop.conf.Configuration hadoopConf;

  private ModelArtifact(String uri, byte[] bytes, java.nio.file.Path localFile, long size, String sha256, ModelKind kind,
      PlanMetadata sidecar) {
    this.uri = uri;
    this.bytes = bytes;
    this.localFile = localFile;
    this.size = size;
    this.sha256 = sha256;
    this.kind = kind;
    this.sidecar = sidecar;
  }

  /**
   * @param uri where the bytes came from (for messages)
   * @param sidecar the plan's metadata, or null
   * @throws EngineException when the kind cannot be told from the name or the bytes
   */
  public static ModelArtifact of(String uri, byte[] bytes, PlanMetadata sidecar) {
    return of(uri, bytes, null, sidecar);
  }

  /** As {@link #of(String, byte[], PlanMetadata)}, for bytes that are also the local file {@code localFile}. */
  public static ModelArtifact of(String uri, byte[] bytes, java.nio.file.Path localFile, PlanMetadata sidecar) {
    byte[] head = new byte[Math.min(8, bytes.length)];
    System.arraycopy(bytes, 0, head, 0, head.length);
    ModelKind kind = check(uri, head, bytes.length);
    return new ModelArtifact(uri, bytes, localFile, bytes.length, sha256(bytes), kind, sidecar);
  }

  /**
   * A model used from its local file only (over 2 GiB): hashed as a stream.
   *
   * @throws java.io.IOException when the file cannot be read
   */
  public static ModelArtifact ofLargeFile(String uri, java.nio.file.Path file, PlanMetadata sidecar)
      throws java.io.IOException {
    byte[] head = new byte[8];
    long size = java.nio.file.Files.size(file);
    try (java.io.InputStream in = java.nio.file.Files.newInputStream(file)) {
      head = java.util.Arrays.copyOf(head, in.readNBytes(head, 0, head.length));
    }
    ModelKind kind = check(uri, head, size);
    return new ModelArtifact(uri, null, file, size, sha256(file), kind, sidecar);
  }

  private static ModelKind check(String uri, byte[] head, long length) {
    ModelKind kind = ModelKind.detect(uri, head);
    if (kind == null) {
      throw new EngineException("cannot tell what " + uri + " is: neither an ONNX model (.onnx) nor a TensorRT plan "
          + "(.plan/.engine); its first bytes are " + HexFormat.of().formatHex(head));
    }
    if (length == 0) {
      throw new EngineException("model " + uri + " is empty (0 bytes)");
    }
    if (kind == ModelKind.TENSORRT_PLAN && !ModelKind.hasPlanMagic(head)) {
      throw new EngineException(uri + " is not a TensorRT 10 plan: a plan starts with the bytes \"ftrt\", this file with "
          + HexFormat.of().formatHex(head) + (ModelKind.detect("", head) == ModelKind.ONNX
              ? " (it looks like an ONNX model: name it .onnx, or build a plan from it with " + BuildFlags.COMMAND + ")"
              : "; it may be corrupt, truncated or not a model at all: rebuild it with " + BuildFlags.COMMAND));
    }
    return kind;
  }

  /**
   * This artifact, remembering the Hadoop configuration of the job it belongs to (a Spark job's
   * {@code spark.hadoop.*} settings: an HDFS nameservice, object-store credentials), for what is read
   * or written beside it later (the plan cache). Returns this artifact. Called once, by whoever creates
   * the artifact and before it is shared (the loader, an executor's broadcast copy): not an option to
   * change later.
   */
  public ModelArtifact withHadoopConf(org.apache.hadoop.conf.Configuration conf) {
    this.hadoopConf = conf;
    return this;
  }

  /** The job's Hadoop configuration ({@link #withHadoopConf}), else a default one. */
  public org.apache.hadoop.conf.Configuration hadoopConf() {
    org.apache.hadoop.conf.Configuration c = hadoopConf;
    return c != null ? c : new org.apache.hadoop.conf.Configuration();
  }

  /** The local file holding these bytes, when there is one (local models, and every model over 2 GiB). */
  public Optional<java.nio.file.Path> localFile() {
    return Optional.ofNullable(localFile);
  }

  /**
   * The external data files an ONNX model names (its tensors' {@code location} entries), which must lie
   * beside it; empty for self-contained models and plans. Read from the protobuf's bytes: an
   * {@code external_data} entry is the string pair ("location", file name).
   */
  public java.util.Set<String> externalDataFiles() {
    java.util.Set<String> found = externalData;
    if (found == null) {
      found = java.util.Collections.unmodifiableSet(scanExternalData());
      externalData = found;
    }
    return found;
  }

  private java.util.Set<String> scanExternalData() {
    java.util.Set<String> out = new java.util.LinkedHashSet<>();
    if (kind != ModelKind.ONNX || bytes == null) {
      return out;
    }
    byte[] key = {0x0A, 0x08, 'l', 'o', 'c', 'a', 't', 'i', 'o', 'n', 0x12};
    outer:
    for (int i = 0; i + key.length < bytes.length; i++) {
      for (int k = 0; k < key.length; k++) {
        if (bytes[i + k] != key[k]) {
          continue outer;
        }
      }
      int at = i + key.length;
      int len = bytes[at] & 0xff;
      if (len >= 0x80 || at + 1 + len > bytes.length || len == 0) {
        continue;
      }
      out.add(new String(bytes, at + 1, len, java.nio.charset.StandardCharsets.UTF_8));
    }
    return out;
  }

  /**
   * This model with its external data files in its identity: the sha256 of the model's sha256 and each
   * data file's, so that new weights in a data file make a new engine-cache key.
   */
  public ModelArtifact withExternalData(java.nio.file.Path dir) throws java.io.IOException {
    StringBuilder id = new StringBuilder(sha256);
    for (String f : externalDataFiles()) {
      java.nio.file.Path p = dir.resolve(f);
      if (!java.nio.file.Files.isRegularFile(p)) {
        throw new EngineException("model " + uri + " keeps tensors in the external data file " + f + ", which is not "
            + "beside it (" + p + "); keep the model and its data files in one folder");
      }
      id.append('|').append(f).append('=').append(sha256(p));
    }
    return new ModelArtifact(uri, bytes, localFile, size, sha256(id.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)),
        kind, sidecar);
  }

  /** Whether the model is only a file (over 2 GiB): read it through {@link #localFile()}. */
  public boolean fileOnly() {
    return bytes == null;
  }

  public String uri() {
    return uri;
  }

  /** Whether an ONNX model has QuantizeLinear and DequantizeLinear nodes (what int8 builds need). */
  public boolean hasQuantizeNodes() {
    if (bytes == null) {
      return contains(localFile, "QuantizeLinear") && contains(localFile, "DequantizeLinear");
    }
    String s = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
    return s.contains("QuantizeLinear") && s.contains("DequantizeLinear");
  }

  private static boolean contains(java.nio.file.Path file, String text) {
    byte[] needle = text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    byte[] buf = new byte[1 << 20];
    byte[] carry = new byte[0];
    try (java.io.InputStream in = java.nio.file.Files.newInputStream(file)) {
      int n;
      while ((n = in.read(buf)) > 0) {
        byte[] window = new byte[carry.length + n];
        System.arraycopy(carry, 0, window, 0, carry.length);
        System.arraycopy(buf, 0, window, carry.length, n);
        if (new String(window, java.nio.charset.StandardCharsets.ISO_8859_1).contains(text)) {
          return true;
        }
        carry = java.util.Arrays.copyOfRange(window, Math.max(0, window.length - needle.length + 1), window.length);
      }
      return false;
    } catch (java.io.IOException e) {
      throw new EngineException("cannot read model " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * The model bytes; do not modify.
   *
   * @throws EngineException for a model over 2 GiB, which is used from its file only
   */
  public byte[] bytes() {
    if (bytes == null) {
      throw new EngineException("model " + uri + " is " + size + " bytes, more than a Java array holds; it is used from "
          + "its file " + localFile);
    }
    return bytes;
  }

  public long size() {
    return size;
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

  /** The sha256 of a file, read as a stream. */
  public static String sha256(java.nio.file.Path file) throws java.io.IOException {
    try (java.io.InputStream in = java.nio.file.Files.newInputStream(file)) {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 20];
      int n;
      while ((n = in.read(buf)) > 0) {
        d.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(d.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
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
    return uri + " (" + kind + ", " + size + " bytes, sha256 " + sha256.substring(0, 12) + "...)";
  }
}
