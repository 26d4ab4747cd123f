package dev.trtspark.conf;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Models named in the Spark configuration, for SQL ({@code trt_predict('digits', features)}):
 * <pre>
 * spark.trt.model.digits.uri=hdfs:///models/digits.onnx     (required)
 * spark.trt.model.digits.inputs=features                    (tensors in argument order; default: the model's order)
 * spark.trt.model.digits.outputs=probs                      (default: every output, in the model's order)
 * spark.trt.model.digits.batchSize=512                      (any spark.trt.* option, short or full key)
 * </pre>
 * Keys under {@code spark.trt.model.NAME.} belong to that model; the session-wide
 * {@code spark.trt.model} stays the default model of the DataFrame API. Immutable.
 */
public final class NamedModels {
  /** Prefix of every named-model key. */
  public static final String PREFIX = TrtConf.MODEL.key() + ".";

  /** The key of a named model's URI ("spark.trt.model.digits.uri"). */
  public static String uriKey(String name) {
    return PREFIX + name + "." + URI;
  }

  private static final String URI = "uri";

  private NamedModels() {}

  /**
   * One named model: its URI, the input tensors in argument order and the outputs (empty: the
   * model's own), and its options as full keys.
   */
  public record Named(String name, String uri, List<String> inputs, List<String> outputs, Map<String, String> options) {}

  /** Whether {@code key} is a named-model key ({@code spark.trt.model.NAME.SUBKEY}). */
  public static boolean isNamedModelKey(String key) {
    return key.startsWith(PREFIX) && key.indexOf('.', PREFIX.length()) > PREFIX.length();
  }

  /** The names of the models {@code conf} declares. */
  public static List<String> names(Map<String, String> conf) {
    TreeSet<String> names = new TreeSet<>();
    for (String k : conf.keySet()) {
      if (isNamedModelKey(k)) {
        names.add(k.substring(PREFIX.length(), k.indexOf('.', PREFIX.length())));
      }
    }
    return List.copyOf(names);
  }

  /**
   * The model {@code name} as {@code conf} declares it, empty when it declares nothing for it.
   *
   * @throws ConfigException naming the key for a missing uri or an unknown option
   */
  public static Optional<Named> find(String name, Map<String, String> conf) {
    String prefix = PREFIX + name + ".";
    String uri = null;
    List<String> inputs = List.of();
    List<String> outputs = List.of();
    Map<String, String> options = new LinkedHashMap<>();
    boolean any = false;
    for (Map.Entry<String, String> e : conf.entrySet()) {
      if (!e.getKey().startsWith(prefix)) {
        continue;
      }
      any = true;
      String sub = e.getKey().substring(prefix.length());
      switch (sub) {
        case URI -> uri = e.getValue().trim();
        case "inputs" -> inputs = list(e.getValue());
        case "outputs" -> outputs = list(e.getValue());
        default -> {
          String full = sub.startsWith(TrtConf.PREFIX) ? sub : TrtConf.PREFIX + sub;
          if (ConfigRegistry.find(full).isEmpty()) {
            throw new ConfigException("unknown key " + e.getKey() + ": a named model takes uri, inputs, outputs and "
                + "spark.trt.* options (short or full key)" + ConfigRegistry.closest(full).map(k -> "; did you mean "
                + prefix + k.substring(TrtConf.PREFIX.length()) + "?").orElse(""));
          }
          options.put(full, e.getValue());
        }
      }
    }
    if (!any) {
      return Optional.empty();
    }
    if (uri == null || uri.isEmpty()) {
      throw new ConfigException("model '" + name + "' has options but no " + uriKey(name));
    }
    return Optional.of(new Named(name, uri, inputs, outputs, options));
  }

  private static List<String> list(String value) {
    List<String> out = new ArrayList<>();
    Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(out::add);
    return List.copyOf(out);
  }
}
