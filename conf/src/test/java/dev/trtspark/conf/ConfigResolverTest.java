package dev.trtspark.conf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigResolverTest {

  @Test
  void callOptionWinsOverSessionWhichWinsOverDefault() {
    ResolvedConfig c = ConfigResolver.resolve(
        Map.of("spark.trt.batchSize", "512"),
        Map.of("spark.trt.batchSize", "128", "spark.trt.slotsPerEngine", "8"));
    assertEquals(512, c.get(TrtConf.BATCH_SIZE));
    assertEquals(ResolvedConfig.Origin.CALL, c.origin(TrtConf.BATCH_SIZE).orElseThrow());
    assertEquals(8, c.get(TrtConf.SLOTS_PER_ENGINE));
    assertEquals(ResolvedConfig.Origin.SESSION, c.origin(TrtConf.SLOTS_PER_ENGINE).orElseThrow());
    assertEquals(3, c.get(TrtConf.BATCHES_IN_FLIGHT));
    assertEquals(ResolvedConfig.Origin.DEFAULT, c.origin(TrtConf.BATCHES_IN_FLIGHT).orElseThrow());
  }

  @Test
  void callOptionsMayUseShortNames() {
    ResolvedConfig c = ConfigResolver.resolve(Map.of("badRowPolicy", "null"), Map.of());
    assertEquals(BadRowPolicy.NULL, c.get(TrtConf.BAD_ROW_POLICY));
  }

  @Test
  void sessionKeysOutsideTheProjectAreIgnored() {
    ResolvedConfig c = ConfigResolver.resolve(Map.of(), Map.of("spark.executor.memory", "4g", "spark.app.name", "x"));
    assertEquals(ResolvedConfig.defaults(), c);
  }

  @Test
  void unknownKeySuggestsTheClosestOne() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> ConfigResolver.resolve(Map.of(), Map.of("spark.trt.batchsize", "64")));
    assertEquals("unknown Spark conf spark.trt.batchsize; did you mean spark.trt.batchSize? (all keys: docs/configuration.md)",
        e.getMessage());
  }

  @Test
  void invalidSessionValueFailsAtResolution() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> ConfigResolver.resolve(Map.of(), Map.of("spark.trt.badRowPolicy", "skip")));
    assertTrue(e.getMessage().startsWith("invalid value 'skip' for spark.trt.badRowPolicy: expected fail | null"), e.getMessage());
  }

  @Test
  void unorderedBatchRangeNamesAllThreeKeys() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> ConfigResolver.resolve(Map.of("build.minBatch", "64", "build.maxBatch", "32"), Map.of()));
    assertEquals("batch range is not ordered: spark.trt.build.minBatch=64, spark.trt.build.optBatch=32, "
        + "spark.trt.build.maxBatch=32; expected min <= opt <= max", e.getMessage());
  }

  @Test
  void optionWithoutDefaultIsAbsentUntilSet() {
    ResolvedConfig c = ResolvedConfig.defaults();
    assertFalse(c.getOptional(TrtConf.MODEL).isPresent());
    ConfigException e = assertThrows(ConfigException.class, () -> c.get(TrtConf.MODEL));
    assertTrue(e.getMessage().contains("spark.trt.model is not set"), e.getMessage());
  }

  @Test
  void asStringsListsEveryValueAsUsersWriteIt() {
    ResolvedConfig c = ConfigResolver.resolve(Map.of("engineCache.maxBytes", "2048m"), Map.of());
    assertEquals("2g", c.asStrings().get("spark.trt.engineCache.maxBytes"));
    assertEquals("fp32,tf32", c.asStrings().get("spark.trt.build.precision"));
  }
}
