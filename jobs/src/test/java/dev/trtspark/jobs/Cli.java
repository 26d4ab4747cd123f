package dev.trtspark.jobs;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;

/** What the command-line tests share: the checkout, a local session, and a run of the real main. */
final class Cli {
  private Cli() {}

  /** A finished command: exit code, stdout, stderr. */
  record Run(int code, String out, String err) {}

  static Path root() {
    return Path.of(System.getProperty("trt.repo.root", "..")).toAbsolutePath().normalize();
  }

  /** The test JVM's session (the commands find it, as under spark-submit). */
  static void session(String master) {
    SparkSession.builder().master(master).config("spark.ui.enabled", "false").getOrCreate();
  }

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Run(code, out.toString(), err.toString());
  }

  static String digits(String file) {
    return root().resolve("examples/digits").resolve(file).toString();
  }

  /** A Spark array column's values as floats. */
  static float[] floats(java.util.List<Object> l) {
    float[] f = new float[l.size()];
    for (int i = 0; i < f.length; i++) {
      f[i] = ((Number) l.get(i)).floatValue();
    }
    return f;
  }

  static String[] concat(String[] a, String... b) {
    String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }
}
