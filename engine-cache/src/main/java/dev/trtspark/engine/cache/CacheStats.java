package dev.trtspark.engine.cache;

/**
 * A snapshot of the engine cache's counters, for metrics: acquisitions served from the cache (hits),
 * acquisitions that loaded (misses), successful and failed loads, total load time, evictions, and the
 * engines, model bytes and execution slots held now.
 */
public record CacheStats(long hits, long misses, long loads, long loadFailures, long loadNanos, long evictions,
    int engines, long bytesHeld, int slotsInUse) {
  @Override
  public String toString() {
    return String.format("engine cache: %d hits, %d misses, %d loads (%d failed, %.1f ms), %d evictions, %d engines, "
        + "%d bytes, %d slots in use", hits, misses, loads, loadFailures, loadNanos / 1e6, evictions, engines, bytesHeld,
        slotsInUse);
  }
}
