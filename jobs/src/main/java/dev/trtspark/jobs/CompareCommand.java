package dev.trtspark.jobs;

import dev.trtspark.conf.TrtConf;
import dev.trtspark.engine.Engines;
import dev.trtspark.spark.TrtInference;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code compare}: a TensorRT plan against a reference on the same rows, Polygraphy style. The
 * reference is the ONNX model on ONNX Runtime ({@code --onnx}) or another plan on TensorRT
 * ({@code --reference}, e.g. fp32 against an fp16 build). Per output: the absolute and relative error's
 * max, mean, median and 90th / 99th percentile, and the share of elements within
 * {@code atol + rtol * |reference|} (tolerances per output with {@code name=value}); exit 0 when every
 * element is within, 1 otherwise (or when TensorRT cannot run here).
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
    description = "Compare a TensorRT plan with ONNX Runtime or with another plan on the same rows.")
final class CompareCommand implements Callable<Integer> {
  @ParentCommand
  Main main;

  @Spec
  CommandSpec spec;

  @Option(names = "--onnx", description = "The ONNX model: the reference on ONNX Runtime, and the plan built from it "
      + "in memory when there is no --plan.") String onnx;
  @Option(names = "--plan", description = "The plan to check (default: build one from --onnx in memory).") String plan;
  @Option(names = "--reference", description = "A second plan as the reference, on TensorRT (instead of ONNX Runtime).")
  String reference;
  @Option(names = "--input", required = true) String input;
  @Option(names = "--format") String format = "parquet";
  @Option(names = "--bind", required = true, description = "tensor=column, once per model input.") List<String> binds;
  @Option(names = "--atol", description = "Absolute tolerance: a number for every output, or output=number (repeatable; "
      + "default 1e-5).") List<String> atols = new ArrayList<>();
  @Option(names = "--rtol", description = "Relative tolerance, the same way (default 1e-3).") List<String> rtols =
      new ArrayList<>();
  @Option(names = "--rows", description = "Rows to compare (default 10000).") int rows = 10_000;
  @Option(names = "--out", description = "tensor=column for the outputs to compare (default: every output).")
  List<String> outs = new ArrayList<>();
  @Option(names = "--conf", description = "Any " + TrtConf.PREFIX + "* option, key=value (repeatable), for both sides "
      + "(for example build.minShapes/optShapes/maxShapes for dynamic dimensions).")
  List<String> confs = new ArrayList<>();

  /** Per-output tolerances: a default and overrides by output column. */
  record Tolerance(double fallback, Map<String, Double> byOutput) {
    double of(String output) {
      return byOutput.getOrDefault(output, fallback);
    }

    static Tolerance parse(List<String> given, double fallback, String flag) {
      double d = fallback;
      Map<String, Double> by = new LinkedHashMap<>();
      for (String g : given) {
        int eq = Math.max(g.indexOf('='), g.indexOf(':'));
        try {
          if (eq > 0) {
            by.put(g.substring(0, eq).trim(), Double.parseDouble(g.substring(eq + 1).trim()));
          } else {
            d = Double.parseDouble(g.trim());
          }
        } catch (NumberFormatException e) {
          throw new Errors.UsageException(flag + " " + g + " is not a number or output=number");
        }
      }
      return new Tolerance(d, by);
    }
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    if (onnx == null && reference == null) {
      throw new Errors.UsageException("compare needs a reference: --onnx M.onnx (ONNX Runtime) or --reference R.plan");
    }
    if (plan == null && onnx == null) {
      throw new Errors.UsageException("compare needs the plan to check: --plan P.plan (or --onnx to build one in memory)");
    }
    Tolerance atol = Tolerance.parse(atols, 1e-5, "--atol");
    Tolerance rtol = Tolerance.parse(rtols, 1e-3, "--rtol");
    if (!Engines.gpuProbe().usable()) {
      out.println("compare: ran nothing. TensorRT cannot run on this host (" + Engines.gpuProbe().problem()
          + "), so there is nothing to compare " + (reference != null ? "the plans" : "ONNX Runtime") + " with; run compare "
          + "on a GPU host.");
      return 1;
    }
    SparkSession spark = Spark.session(main.master);
    Dataset<Row> table = InferCommand.read(spark, format, input).limit(rows).cache();
    TrtInference ref = reference != null ? inference(spark, reference, "tensorrt") : inference(spark, onnx, "onnxruntime");
    TrtInference trt = inference(spark, plan != null ? plan : onnx, "tensorrt");
    List<String> outputs = new ArrayList<>();
    ref.spec().outputs().forEach(b -> outputs.add(b.column()));
    Column[] cols = outputs.stream().map(functions::col).toArray(Column[]::new);
    List<Row> a = ref.transform(table).select(cols).collectAsList();
    List<Row> b = trt.transform(table).select(cols).collectAsList();
    out.printf("reference: %s on %s; checked: %s on TensorRT; %d rows%n", reference != null ? reference : onnx,
        reference != null ? "TensorRT" : "ONNX Runtime", plan != null ? plan : onnx + " (built in memory)", a.size());
    boolean pass = true;
    for (int o = 0; o < outputs.size(); o++) {
      String name = outputs.get(o);
      double at = atol.of(name);
      double rt = rtol.of(name);
      List<Double> absErr = new ArrayList<>();
      List<Double> relErr = new ArrayList<>();
      long within = 0;
      long lengthMismatches = 0;
      String firstMismatch = null;
      for (int r = 0; r < a.size(); r++) {
        List<Double> x = values(a.get(r), o);
        List<Double> y = values(b.get(r), o);
        if (x.size() != y.size()) {
          lengthMismatches++;
          firstMismatch = firstMismatch != null ? firstMismatch : "row " + r + ": " + x.size() + " values in the reference, "
              + y.size() + " in the plan";
          continue;
        }
        for (int i = 0; i < x.size(); i++) {
          double abs = Math.abs(x.get(i) - y.get(i));
          absErr.add(abs);
          relErr.add(abs / Math.max(Math.abs(x.get(i)), 1e-12));
          within += abs <= at + rt * Math.abs(x.get(i)) ? 1 : 0;
        }
      }
      long n = absErr.size();
      boolean ok = within == n && lengthMismatches == 0;
      pass &= ok;
      out.printf(Locale.ROOT, "%s: %d elements, %.4f%% within atol %.1g + rtol %.1g: %s%n", name, n,
          100.0 * within / Math.max(n, 1), at, rt, ok ? "PASS" : "FAIL");
      out.println("  absolute error: " + stats(absErr));
      out.println("  relative error: " + stats(relErr));
      if (lengthMismatches > 0) {
        out.printf(Locale.ROOT, "  %d rows differ in length (first: %s)%n", lengthMismatches, firstMismatch);
      }
    }
    out.println(pass ? "PASS" : "FAIL");
    return pass ? 0 : 1;
  }

  /** Polygraphy's summary of an error distribution: max, mean, median, p90, p99. */
  static String stats(List<Double> errors) {
    if (errors.isEmpty()) {
      return "no elements";
    }
    double[] e = errors.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(e);
    double mean = Arrays.stream(e).sum() / e.length;
    return String.format(Locale.ROOT, "max %.3g, mean %.3g, median %.3g, p90 %.3g, p99 %.3g", e[e.length - 1], mean,
        percentile(e, 50), percentile(e, 90), percentile(e, 99));
  }

  private static double percentile(double[] sorted, double p) {
    int i = (int) Math.ceil(p / 100 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }

  private TrtInference inference(SparkSession spark, String model, String backend) {
    TrtInference.Builder b = InferCommand.bound(TrtInference.builder().session(spark).model(model).backend(backend),
        binds, outs);
    confs.forEach(b::option);
    return b.build();
  }

  private static List<Double> values(Row row, int i) {
    List<Double> out = new ArrayList<>();
    Object v = row.get(i);
    if (v instanceof scala.collection.Seq) {
      scala.collection.Iterator<?> it = ((scala.collection.Seq<?>) v).iterator();
      while (it.hasNext()) {
        out.add(((Number) it.next()).doubleValue());
      }
    } else if (v != null) {
      out.add(((Number) v).doubleValue());
    }
    return out;
  }
}
