package dev.trtspark.jobs;

import dev.trtspark.conf.TensorBinding;
import dev.trtspark.engine.Engines;
import dev.trtspark.spark.TrtInference;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code compare}: TensorRT against ONNX Runtime on the same rows, Polygraphy style: per output the max
 * and mean absolute and relative error and the share of elements within {@code atol + rtol * |reference|};
 * exit 0 when every element is within, 1 otherwise (or when TensorRT cannot run here).
 */
@Command(name = "compare", mixinStandardHelpOptions = true, description = "Compare TensorRT with ONNX Runtime on the same rows.")
final class CompareCommand implements Callable<Integer> {
  @ParentCommand
  Main main;

  @Spec
  CommandSpec spec;

  @Option(names = "--onnx", required = true) String onnx;
  @Option(names = "--plan", description = "A plan to compare (default: build one from --onnx in memory).") String plan;
  @Option(names = "--input", required = true) String input;
  @Option(names = "--format") String format = "parquet";
  @Option(names = "--bind", required = true, description = "tensor=column, once per model input.") List<String> binds;
  @Option(names = "--atol") double atol = 1e-5;
  @Option(names = "--rtol") double rtol = 1e-3;
  @Option(names = "--rows", description = "Rows to compare (default 10000).") int rows = 10_000;
  @Option(names = "--out", description = "tensor=column for the outputs to compare (default: every output).")
  List<String> outs = new ArrayList<>();
  @Option(names = "--conf", description = "Any spark.trt.* option, key=value (repeatable), for both backends "
      + "(for example build.minShapes/optShapes/maxShapes for dynamic dimensions).")
  List<String> confs = new ArrayList<>();

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    if (!Engines.gpuProbe().usable()) {
      out.println("compare: ran nothing. TensorRT cannot run on this host (" + Engines.gpuProbe().problem()
          + "), so there is nothing to compare ONNX Runtime with; run compare on a GPU host.");
      return 1;
    }
    SparkSession spark = Spark.session(main.master);
    Dataset<Row> table = InferCommand.read(spark, format, input).limit(rows).cache();
    TrtInference ref = inference(spark, onnx, "onnxruntime");
    TrtInference trt = inference(spark, plan != null ? plan : onnx, "tensorrt");
    List<String> outputs = new ArrayList<>();
    ref.spec().outputs().forEach(b -> outputs.add(b.column()));
    List<Row> a = ref.transform(table).select(outputs.stream().map(org.apache.spark.sql.functions::col)
        .toArray(org.apache.spark.sql.Column[]::new)).collectAsList();
    List<Row> b = trt.transform(table).select(outputs.stream().map(org.apache.spark.sql.functions::col)
        .toArray(org.apache.spark.sql.Column[]::new)).collectAsList();
    boolean pass = true;
    for (int o = 0; o < outputs.size(); o++) {
      double maxAbs = 0;
      double sumAbs = 0;
      double maxRel = 0;
      double sumRel = 0;
      long n = 0;
      long within = 0;
      long lengthMismatches = 0;
      String firstMismatch = null;
      for (int r = 0; r < a.size(); r++) {
        List<Double> x = values(a.get(r), o);
        List<Double> y = values(b.get(r), o);
        if (x.size() != y.size()) {
          lengthMismatches++;
          firstMismatch = firstMismatch != null ? firstMismatch : "row " + r + ": " + x.size() + " values on ONNX Runtime, "
              + y.size() + " on TensorRT";
          n += Math.max(x.size(), y.size());
          continue;
        }
        for (int i = 0; i < x.size(); i++) {
          double abs = Math.abs(x.get(i) - y.get(i));
          double rel = abs / Math.max(Math.abs(x.get(i)), 1e-12);
          maxAbs = Math.max(maxAbs, abs);
          maxRel = Math.max(maxRel, rel);
          sumAbs += abs;
          sumRel += rel;
          within += abs <= atol + rtol * Math.abs(x.get(i)) ? 1 : 0;
          n++;
        }
      }
      pass &= within == n;
      out.printf(Locale.ROOT, "%s: %d elements, max abs %.3g, mean abs %.3g, max rel %.3g, mean rel %.3g, %.4f%% within "
          + "atol %.1g + rtol %.1g%n", outputs.get(o), n, maxAbs, sumAbs / Math.max(n, 1), maxRel, sumRel / Math.max(n, 1),
          100.0 * within / Math.max(n, 1), atol, rtol);
      if (lengthMismatches > 0) {
        out.printf(Locale.ROOT, "%s: %d rows differ in length (first: %s)%n", outputs.get(o), lengthMismatches,
            firstMismatch);
      }
    }
    out.println(pass ? "PASS" : "FAIL");
    return pass ? 0 : 1;
  }

  private TrtInference inference(SparkSession spark, String model, String backend) {
    TrtInference.Builder b = TrtInference.builder().session(spark).model(model).backend(backend);
    for (String s : binds) {
      TensorBinding t = TensorBinding.parse(s);
      b.input(t.tensor(), t.column());
    }
    for (String s : outs) {
      TensorBinding t = TensorBinding.parse(s);
      b.output(t.tensor(), t.column());
    }
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
