package dev.trtspark.engine.cache;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** When a loaded engine's slot settings cannot serve a later job (and the executor says so). */
class FixedSettingsTest {
  private static EngineCache.LoadSpec spec(int slots, int lanes, long timeoutMs) {
    return new EngineCache.LoadSpec(() -> null, slots, lanes, timeoutMs);
  }

  @Test
  void theSameSettingsOrFewerLanesAreServed() {
    assertFalse(EngineCache.cannotHonour(spec(4, 3, 1000), spec(4, 3, 1000)));
    assertFalse(EngineCache.cannotHonour(spec(4, 3, 1000), spec(4, 1, 1000)), "a job keeps fewer batches in flight");
    assertFalse(EngineCache.cannotHonour(spec(4, 3, 1000), spec(4, 3, 5)), "the slot timeout is read per call");
  }

  @Test
  void otherSlotsOrMoreLanesAreNot() {
    assertTrue(EngineCache.cannotHonour(spec(4, 3, 1000), spec(8, 3, 1000)));
    assertTrue(EngineCache.cannotHonour(spec(4, 3, 1000), spec(2, 3, 1000)));
    assertTrue(EngineCache.cannotHonour(spec(4, 3, 1000), spec(4, 4, 1000)));
  }
}
