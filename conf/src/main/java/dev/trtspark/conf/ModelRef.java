package dev.trtspark.conf;

import java.io.Serializable;
import java.util.Locale;

/**
 * Where a model lives and which bytes it must be: a Hadoop FileSystem URI (or local path), the
 * sha256 of its bytes (computed on the driver) and their size. Executors key their engine cache on
 * the sha256, so two URIs with the same bytes share one engine.
 */
public record ModelRef(String uri, String sha256, long sizeBytes) implements Serializable {
  public ModelRef {
    if (uri == null || uri.isBlank()) {
      throw new ConfigException("a model needs a location; set " + TrtConf.MODEL.key() + " or call model(...)");
    }
    if (sha256 == null || !sha256.matches("[0-9a-fA-F]{64}")) {
      throw new ConfigException("model " + uri + ": sha256 must be 64 hex digits, got '" + sha256 + "'");
    }
    if (sizeBytes < 0) {
      throw new ConfigException("model " + uri + ": size must be >= 0, got " + sizeBytes);
    }
    sha256 = sha256.toLowerCase(Locale.ROOT);
  }
}
