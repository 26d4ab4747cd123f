package dev.trtspark.jobs;

import java.util.Map;
import org.apache.spark.sql.SparkSession;

/** The session a command runs in. */
final class Spark {
  private Spark() {}

  /** The running session (spark-submit, a test), else an embedded one on {@code master} or local[*]. */
  static SparkSession session(String master) {
    return session(master, Map.of());
  }

  /**
   * As {@link #session(String)}, with {@code conf} (spark.* keys of {@code --conf}) given to the session
   * builder: all of them apply to an embedded session; on a running one Spark applies the SQL options and
   * warns about the others (set those with spark-submit --conf).
   */
  static SparkSession session(String master, Map<String, String> conf) {
    SparkSession.Builder b = SparkSession.builder().appName("trt-spark");
    if (SparkSession.getActiveSession().isEmpty() && System.getProperty("spark.master") == null) {
      b = b.master(master == null ? "local[*]" : master).config("spark.ui.showConsoleProgress", "true");
    }
    for (Map.Entry<String, String> e : conf.entrySet()) {
      b = b.config(e.getKey(), e.getValue());
    }
    SparkSession s = b.getOrCreate();
    conf.forEach((k, v) -> {
      if (s.conf().isModifiable(k)) {
        s.conf().set(k, v);
      }
    });
    return s;
  }
}
