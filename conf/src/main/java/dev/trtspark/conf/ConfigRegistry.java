package dev.trtspark.conf;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Every declared option, by key: the one list that resolution and the generated documentation read. */
public final class ConfigRegistry {
  private static final Map<String, ConfigOption<?>> BY_KEY;

  static {
    Map<String, ConfigOption<?>> m = new LinkedHashMap<>();
    List<ConfigOption<?>> all = new ArrayList<>(TrtConf.all());
    all.addAll(BuildConf.all());
    for (ConfigOption<?> o : all) {
      if (m.put(o.key(), o) != null) {
        throw new IllegalStateException("key declared twice: " + o.key());
      }
    }
    BY_KEY = Collections.unmodifiableMap(m);
  }

  private ConfigRegistry() {}

  public static List<ConfigOption<?>> all() {
    return List.copyOf(BY_KEY.values());
  }

  public static Optional<ConfigOption<?>> find(String key) {
    return Optional.ofNullable(BY_KEY.get(key));
  }

  /** The declared key closest to {@code key} (for "did you mean"), if one is close enough. */
  static Optional<String> closest(String key) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : BY_KEY.keySet()) {
      int d = editDistance(key.toLowerCase(), candidate.toLowerCase());
      if (d < bestDistance) {
        bestDistance = d;
        best = candidate;
      }
    }
    return bestDistance <= Math.max(3, key.length() / 4) ? Optional.of(best) : Optional.empty();
  }

  private static int editDistance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
