package dev.trtspark.conf;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One typed configuration entry: key, type, default, one line of documentation and a validator.
 * Declared once, as a constant of {@link TrtConf} or {@link BuildConf}; nobody else parses
 * {@code spark.trt.*} strings. Instances are immutable; the {@code with*} methods return copies.
 *
 * <p>Created through {@link ConfigOptions#key(String)}, type before default:
 * {@code key("spark.trt.batchSize").intType().defaultValue(256)}.
 *
 * @param <T> the value type; always immutable and {@link java.io.Serializable}
 */
public final class ConfigOption<T> {
  private final String key;
  private final String typeName;
  private final Function<String, T> parser;
  private final Function<T, String> formatter;
  private final T defaultValue;
  private final String description;
  private final Predicate<T> validator;
  private final String allowed;
  private final String fixedWhen;

  ConfigOption(String key, String typeName, Function<String, T> parser, Function<T, String> formatter,
      T defaultValue, String description, Predicate<T> validator, String allowed) {
    this(key, typeName, parser, formatter, defaultValue, description, validator, allowed, null);
  }

  private ConfigOption(String key, String typeName, Function<String, T> parser, Function<T, String> formatter,
      T defaultValue, String description, Predicate<T> validator, String allowed, String fixedWhen) {
    this.key = Objects.requireNonNull(key, "key");
    this.typeName = typeName;
    this.parser = parser;
    this.formatter = formatter;
    this.defaultValue = defaultValue;
    this.description = description;
    this.validator = validator;
    this.allowed = allowed;
    this.fixedWhen = fixedWhen;
  }

  /** Returns a copy documented with {@code description} (one line, shown in docs/configuration.md). */
  public ConfigOption<T> withDescription(String description) {
    return new ConfigOption<>(key, typeName, parser, formatter, defaultValue, description, validator, allowed, fixedWhen);
  }

  /**
   * Returns a copy marked as read once, not per call: {@code how} says where and by whom it is fixed (for
   * example "per executor JVM, by the first job that loads a model there"); later jobs keep that value
   * and get a warning if they ask for another. The generated documentation marks such keys.
   */
  public ConfigOption<T> fixed(String how) {
    return new ConfigOption<>(key, typeName, parser, formatter, defaultValue, description, validator, allowed, how);
  }

  /** How the value is fixed (see {@link #fixed}); empty for a key read on every call. */
  public Optional<String> fixed() {
    return Optional.ofNullable(fixedWhen);
  }

  /**
   * Returns a copy that also requires {@code check} to hold; {@code allowedText} says what is allowed,
   * in the words used by error messages and the generated documentation.
   */
  public ConfigOption<T> withValidator(Predicate<T> check, String allowedText) {
    Predicate<T> combined = validator == null ? check : validator.and(check);
    String text = allowed == null ? allowedText : allowed + "; " + allowedText;
    if (defaultValue != null && !check.test(defaultValue)) {
      throw new IllegalStateException(key + ": default " + formatter.apply(defaultValue) + " is not " + allowedText);
    }
    return new ConfigOption<>(key, typeName, parser, formatter, defaultValue, description, combined, text, fixedWhen);
  }

  public String key() {
    return key;
  }

  /** The type as users read it in the documentation ("int", "bytes", "fp32 | fp16 | ..."). */
  public String typeName() {
    return typeName;
  }

  public String description() {
    return description == null ? "" : description;
  }

  /** What values are allowed, in words, or empty when any value of the type is. */
  public Optional<String> allowed() {
    return Optional.ofNullable(allowed);
  }

  public Optional<T> defaultValue() {
    return Optional.ofNullable(defaultValue);
  }

  /** The default as a string, as users would write it ("" when the option has none). */
  public String defaultText() {
    return defaultValue == null ? "" : formatter.apply(defaultValue);
  }

  /** Writes a value the way {@link #parse(String)} reads it. */
  public String format(T value) {
    return formatter.apply(value);
  }

  /**
   * Parses and validates a user-supplied string.
   *
   * @throws ConfigException naming the key, the value and what is allowed
   */
  public T parse(String raw) {
    if (raw == null) {
      throw new ConfigException(key + " has no value; expected " + expected());
    }
    T value;
    try {
      value = parser.apply(raw.trim());
    } catch (RuntimeException e) {
      String why = e.getMessage() == null ? "" : " (" + e.getMessage() + ")";
      throw new ConfigException("invalid value '" + raw + "' for " + key + ": expected " + expected() + why, e);
    }
    if (validator != null && !validator.test(value)) {
      throw new ConfigException("invalid value '" + raw + "' for " + key + ": expected " + expected());
    }
    return value;
  }

  private String expected() {
    return allowed == null ? typeName : typeName + " (" + allowed + ")";
  }

  @Override
  public String toString() {
    return key;
  }
}
