package dev.trtspark.jobs;

import dev.trtspark.conf.TensorBinding;
import dev.trtspark.engine.EngineException;
import dev.trtspark.engine.model.ArtifactLoader;
import dev.trtspark.spark.TrtInference;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code infer}: reads a table with Spark, runs the model over it and writes the input columns (without
 * those bound to model inputs, unless {@code --keep-bound-columns}) plus the outputs as Parquet. The output appears only when the job succeeded: it is written to a hidden sibling
 * folder and renamed into place; an existing output is replaced only with {@code --overwrite}.
 */
@Command(name = "infer", mixinStandardHelpOptions = true, description = "Run a model over a table and write the result.")
final class InferCommand implements Callable<Integer> {
  @ParentCommand
  Main main;

  @Spec
  CommandSpec spec;

  @Option(names = "--model", required = true, description = "TensorRT plan or ONNX model (URI or path).")
  String model;

  @Option(names = "--input", required = true, description = "Input table (URI or path).")
  String input;

  @Option(names = "--format", description = "parquet | orc | csv | json (default: parquet).")
  String format = "parquet";

  @Option(names = "--output", required = true, description = "Where to write the result (Parquet).")
  String output;

  @Option(names = "--bind", required = true, description = "tensor=column, once per model input.")
  List<String> binds = new ArrayList<>();

  @Option(names = "--out", description = "tensor=column for outputs (default: every output, named after it).")
  List<String> outs = new ArrayList<>();

  @Option(names = "--batch-size", description = "Rows per inference batch.")
  Integer batchSize;

  @Option(names = "--backend", description = "auto | tensorrt | onnxruntime.")
  String backend;

  @Option(names = "--conf", description = "Any spark.trt.* option, key=value (repeatable).")
  List<String> confs = new ArrayList<>();

  @Option(names = "--overwrite", description = "Replace an existing output.")
  boolean overwrite;

  @Option(names = "--keep-bound-columns", description = "Also write the columns bound to model inputs (by default "
      + "they are left out: tensor columns are large, and writing them again costs more than the inference).")
  boolean keepBoundColumns;

  /** What a run did, for callers such as demo. */
  record Result(long rowsIn, long rowsOut, String backend, double seconds, TrtInference inference, String output) {}

  @Override
  public Integer call() throws IOException {
    run(spec.commandLine().getOut());
    return 0;
  }

  Result run(PrintWriter out) throws IOException {
    SparkSession spark = Spark.session(main.master);
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    Path in = Spark.path(input);
    if (!Spark.fs(input, hadoop).exists(in)) {
      throw new Errors.UsageException("input not found: " + input);
    }
    Path target = Spark.path(output);
    FileSystem fs = Spark.fs(output, hadoop);
    if (fs.makeQualified(target).equals(Spark.fs(input, hadoop).makeQualified(in))) {
      throw new Errors.UsageException("--output is the same as --input (" + output + "); write somewhere else");
    }
    if (fs.exists(target) && !overwrite) {
      throw new Errors.UsageException("output " + output + " already exists; pass --overwrite to replace it");
    }
    TrtInference.Builder b = TrtInference.builder().session(spark).model(model);
    for (String s : binds) {
      TensorBinding t = TensorBinding.parse(s);
      b.input(t.tensor(), t.column());
    }
    for (String s : outs) {
      TensorBinding t = TensorBinding.parse(s);
      b.output(t.tensor(), t.column());
    }
    if (batchSize != null) {
      b.batchSize(batchSize);
    }
    if (backend != null) {
      b.backend(backend);
    }
    if (keepBoundColumns) {
      b.keepBoundColumns(true);
    }
    confs.forEach(b::option);
    TrtInference inference = b.build();
    Dataset<Row> table = read(spark, format, ArtifactLoader.toPath(input).toString());
    long rowsIn = table.count();
    Dataset<Row> scored = inference.transform(table);
    Path staging = new Path(target.getParent(), "." + target.getName() + "._trt_" + UUID.randomUUID());
    long t0 = System.nanoTime();
    try {
      scored.write().parquet(staging.toString());
      if (fs.exists(target)) {
        fs.delete(target, true);
      }
      if (!fs.rename(staging, target)) {
        throw new EngineException("could not move the finished output " + staging + " to " + output);
      }
    } finally {
      if (fs.exists(staging)) {
        fs.delete(staging, true);
      }
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    long rowsOut = inference.metrics().rows();
    String used = inference.describe().lines().filter(l -> l.startsWith("backend on this host: ")).findFirst()
        .map(l -> l.substring("backend on this host: ".length())).orElse("?");
    out.printf(Locale.ROOT, "rows in: %d%nrows out: %d%nbackend: %s%nrows/s: %.0f%nstages: %s%noutput: %s%n", rowsIn,
        rowsOut, used, rowsOut / seconds, inference.metrics().summary(), output);
    return new Result(rowsIn, rowsOut, used, seconds, inference, output);
  }

  static Dataset<Row> read(SparkSession spark, String format, String path) {
    switch (format.toLowerCase(Locale.ROOT)) {
      case "parquet":
        return spark.read().parquet(path);
      case "orc":
        return spark.read().orc(path);
      case "json":
        return spark.read().json(path);
      case "csv":
        return spark.read().option("header", "true").option("inferSchema", "true").csv(path);
      default:
        throw new Errors.UsageException("--format " + format + " is not one of parquet, orc, csv, json");
    }
  }
}
