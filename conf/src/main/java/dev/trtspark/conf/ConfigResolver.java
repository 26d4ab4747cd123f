package dev.trtspark.conf;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Resolves options on the driver with one precedence: explicit call option &gt; Spark session conf
 * &gt; default. Every value is parsed and validated here, so a bad value fails before any task
 * starts, with a message naming the key, the value and what is allowed; the result
 * ({@link ResolvedConfig}) is what executors receive. The resolver itself never leaves the driver.
 */
public final class ConfigResolver {
  private static final String PREFIX = TrtConf.PREFIX;

  private ConfigResolver() {}

  /**
   * @param callOptions explicit options of one call; keys are full ({@code spark.trt.batchSize}) or
   *     short ({@code batchSize})
   * @param sessionConf the Spark session's configuration (or any map of it); keys outside
   *     {@code spark.trt.} are ignored, as are named models' keys ({@link NamedModels}); unknown keys inside
   *     it are errors
   */
  public static ResolvedConfig resolve(Map<String, String> callOptions, Map<String, String> sessionConf) {
    Map<String, String> call = normalize(callOptions, "option");
    Map<String, String> session = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : sessionConf.entrySet()) {
      if (e.getKey().startsWith(PREFIX) && !NamedModels.isNamedModelKey(e.getKey())) {
        checkKnown(e.getKey(), "Spark conf");
        session.put(e.getKey(), e.getValue());
      }
    }
    Map<String, Object> values = new LinkedHashMap<>();
    Map<String, ResolvedConfig.Origin> origins = new LinkedHashMap<>();
    for (ConfigOption<?> option : ConfigRegistry.all()) {
      String key = option.key();
      if (call.containsKey(key)) {
        values.put(key, option.parse(call.get(key)));
        origins.put(key, ResolvedConfig.Origin.CALL);
      } else if (session.containsKey(key)) {
        values.put(key, option.parse(session.get(key)));
        origins.put(key, ResolvedConfig.Origin.SESSION);
      } else if (option.defaultValue().isPresent()) {
        values.put(key, option.defaultValue().get());
        origins.put(key, ResolvedConfig.Origin.DEFAULT);
      }
    }
    ResolvedConfig resolved = new ResolvedConfig(values, origins);
    checkBatchRange(resolved);
    return resolved;
  }

  private static Map<String, String> normalize(Map<String, String> options, String what) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : options.entrySet()) {
      String key = e.getKey().startsWith(PREFIX) ? e.getKey() : PREFIX + e.getKey();
      checkKnown(key, what);
      if (out.put(key, e.getValue()) != null) {
        throw new ConfigException(what + " " + key + " is given twice (as " + key + " and its short name)");
      }
    }
    return out;
  }

  private static void checkKnown(String key, String what) {
    if (ConfigRegistry.find(key).isEmpty()) {
      Optional<String> near = ConfigRegistry.closest(key);
      throw new ConfigException("unknown " + what + " " + key
          + near.map(k -> "; did you mean " + k + "?").orElse("")
          + " (all keys: docs/configuration.md)");
    }
  }

  private static void checkBatchRange(ResolvedConfig c) {
    int min = c.get(BuildConf.MIN_BATCH);
    int max = c.get(BuildConf.MAX_BATCH);
    int opt = c.getOptional(BuildConf.OPT_BATCH).orElse(max);
    if (!(min <= opt && opt <= max)) {
      throw new ConfigException("batch range is not ordered: " + BuildConf.MIN_BATCH.key() + "=" + min + ", "
          + BuildConf.OPT_BATCH.key() + "=" + opt + ", " + BuildConf.MAX_BATCH.key() + "=" + max
          + "; expected min <= opt <= max");
    }
  }
}
