package dev.trtspark.conf;

import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Immutable, serializable option values after resolution on the driver: every declared option with
 * a value (set or default), already parsed and validated. Executors read typed values from it and
 * never parse strings. Built only by {@link ConfigResolver}.
 */
public final class ResolvedConfig implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Where a value came from, highest precedence first. */
  public enum Origin {
    CALL, SESSION, DEFAULT
  }

  private final LinkedHashMap<String, Object> values;
  private final LinkedHashMap<String, Origin> origins;

  ResolvedConfig(Map<String, Object> values, Map<String, Origin> origins) {
    this.values = new LinkedHashMap<>(values);
    this.origins = new LinkedHashMap<>(origins);
  }

  /** All defaults: what a call with no options and an empty session gets. */
  public static ResolvedConfig defaults() {
    return ConfigResolver.resolve(Map.of(), Map.of());
  }

  /** The value of an option that has a default (or was set). */
  public <T> T get(ConfigOption<T> option) {
    return getOptional(option).orElseThrow(() -> new ConfigException(
        option.key() + " is not set and has no default; set it with --conf " + option.key() + "=<" + option.typeName() + ">"));
  }

  @SuppressWarnings("unchecked")
  public <T> Optional<T> getOptional(ConfigOption<T> option) {
    return Optional.ofNullable((T) values.get(option.key()));
  }

  public Optional<Origin> origin(ConfigOption<?> option) {
    return Optional.ofNullable(origins.get(option.key()));
  }

  /** Every value with one, formatted as users write it, in declaration order: for logs and describe(). */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public Map<String, String> asStrings() {
    Map<String, String> out = new LinkedHashMap<>();
    for (ConfigOption o : ConfigRegistry.all()) {
      Object v = values.get(o.key());
      if (v != null) {
        out.put(o.key(), o.format(v));
      }
    }
    return Collections.unmodifiableMap(out);
  }

  /**
   * The options among {@code options} that a user set (call or session, not defaults), formatted as
   * written: what a plan's builder options are compared with.
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public Map<String, String> explicit(java.util.List<ConfigOption<?>> options) {
    Map<String, String> out = new LinkedHashMap<>();
    for (ConfigOption o : options) {
      if (origins.get(o.key()) != null && origins.get(o.key()) != Origin.DEFAULT) {
        out.put(o.key(), o.format(values.get(o.key())));
      }
    }
    return Collections.unmodifiableMap(out);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ResolvedConfig && ((ResolvedConfig) o).values.equals(values);
  }

  @Override
  public int hashCode() {
    return values.hashCode();
  }

  @Override
  public String toString() {
    return asStrings().toString();
  }
}
