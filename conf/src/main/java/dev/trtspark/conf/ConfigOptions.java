package dev.trtspark.conf;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Entry point for declaring {@link ConfigOption}s, type before default (the shape of Flink's
 * {@code ConfigOptions}): {@code ConfigOptions.key("spark.trt.batchSize").intType().defaultValue(256)}.
 */
public final class ConfigOptions {
  private ConfigOptions() {}

  public static KeyBuilder key(String key) {
    if (!key.startsWith(TrtConf.PREFIX)) {
      throw new IllegalArgumentException("trt-spark keys start with spark.trt.: " + key);
    }
    return new KeyBuilder(key);
  }

  /** Chooses the type of a key. */
  public static final class KeyBuilder {
    private final String key;

    private KeyBuilder(String key) {
      this.key = key;
    }

    public TypedBuilder<Integer> intType() {
      return custom("int", Integer::valueOf, String::valueOf);
    }

    public TypedBuilder<Long> longType() {
      return custom("long", Long::valueOf, String::valueOf);
    }

    public TypedBuilder<Boolean> booleanType() {
      return custom("boolean", ConfigOptions::parseBoolean, String::valueOf);
    }

    public TypedBuilder<String> stringType() {
      return custom("string", s -> {
        if (s.isEmpty()) {
          throw new IllegalArgumentException("empty");
        }
        return s;
      }, s -> s);
    }

    /** A byte count: a plain number or one with a binary suffix k, m, g, t (as in Spark: 512m, 4g). */
    public TypedBuilder<Long> bytesType() {
      return custom("bytes", ByteSize::parse, ByteSize::format);
    }

    /** One constant of {@code type}, written in lower case ({@code Backend.AUTO} is "auto"). */
    public <E extends Enum<E>> TypedBuilder<E> enumType(Class<E> type) {
      return custom(enumNames(type), s -> parseEnum(type, s), ConfigOptions::enumName);
    }

    /** A comma-separated, duplicate-free, non-empty list of constants of {@code type}. */
    public <E extends Enum<E>> TypedBuilder<List<E>> enumListType(Class<E> type) {
      return custom("list of " + enumNames(type), s -> {
        List<E> out = new ArrayList<>();
        for (String part : s.split(",")) {
          E e = parseEnum(type, part.trim());
          if (out.contains(e)) {
            throw new IllegalArgumentException(enumName(e) + " given twice");
          }
          out.add(e);
        }
        return List.copyOf(out);
      }, l -> l.stream().map(ConfigOptions::enumName).collect(Collectors.joining(",")));
    }

    /** Per-input tensor shapes in trtexec style, see {@link ShapeSpec}. */
    public TypedBuilder<ShapeSpec> shapesType() {
      return custom("shapes (name:AxBxC[,name:...])", ShapeSpec::parse, ShapeSpec::toString);
    }

    /** Any other type: {@code parse} throws (with a short reason) on input it does not accept. */
    public <T> TypedBuilder<T> custom(String typeName, Function<String, T> parse, Function<T, String> format) {
      return new TypedBuilder<>(key, typeName, parse, format);
    }
  }

  /** Chooses the default of a typed key. */
  public static final class TypedBuilder<T> {
    private final String key;
    private final String typeName;
    private final Function<String, T> parse;
    private final Function<T, String> format;

    private TypedBuilder(String key, String typeName, Function<String, T> parse, Function<T, String> format) {
      this.key = key;
      this.typeName = typeName;
      this.parse = parse;
      this.format = format;
    }

    public ConfigOption<T> defaultValue(T value) {
      return new ConfigOption<>(key, typeName, parse, format, value, null, null, null);
    }

    /** An option that is unset unless a user sets it; read with {@link ResolvedConfig#getOptional}. */
    public ConfigOption<T> noDefaultValue() {
      return new ConfigOption<>(key, typeName, parse, format, null, null, null, null);
    }
  }

  static Boolean parseBoolean(String s) {
    switch (s.toLowerCase(Locale.ROOT)) {
      case "true":
        return Boolean.TRUE;
      case "false":
        return Boolean.FALSE;
      default:
        throw new IllegalArgumentException("not true or false");
    }
  }

  static <E extends Enum<E>> E parseEnum(Class<E> type, String s) {
    for (E e : type.getEnumConstants()) {
      if (enumName(e).equals(s.toLowerCase(Locale.ROOT))) {
        return e;
      }
    }
    throw new IllegalArgumentException("'" + s + "' is not one of " + enumNames(type));
  }

  static String enumName(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }

  static <E extends Enum<E>> String enumNames(Class<E> type) {
    return Arrays.stream(type.getEnumConstants()).map(ConfigOptions::enumName).collect(Collectors.joining(" | "));
  }
}
