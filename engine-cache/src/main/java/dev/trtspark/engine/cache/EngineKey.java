package dev.trtspark.engine.cache;

/** What makes two engines the same: the model bytes (sha256), the device (-1 for CPU) and the backend. */
public record EngineKey(String sha256, int device, String backend) {
  @Override
  public String toString() {
    return sha256.substring(0, Math.min(12, sha256.length())) + "@" + (device < 0 ? "cpu" : "gpu" + device) + "/" + backend;
  }
}
