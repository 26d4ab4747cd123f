package dev.trtspark.jobs;

import dev.trtspark.testing.Digits;
import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * What the command-line tests share: a run of the real main and reading its output. The checkout, the models
 * and the digits come from test-support, the session from spark-udf's {@code SparkTestSession} (the commands
 * find it, as under spark-submit).
 */
final class Cli {
  private Cli() {}

  /** The digits example's model and table, as command-line arguments. */
  static final String DIGITS_ONNX = Digits.onnx().toString();
  static final String DIGITS_PARQUET = Digits.parquet().toString();

  /** A finished command: exit code, stdout, stderr. */
  record Run(int code, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Run(code, out.toString(), err.toString());
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
