package dev.trtspark.jobs;

import dev.trtspark.conf.TrtConf;
import dev.trtspark.conf.TensorBinding;
import dev.trtspark.engine.EngineException;
import dev.trtspark.spark.TrtInference;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
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
 * folder and renamed into place; an existing output is replaced only with {@code --overwrite}, and never
 * when it is, contains or lies inside an input or the model (links resolved). Staging folders of this
 * output left by killed jobs are removed when a later job succeeds.
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

  @Option(names = "--conf", description = "key=value (repeatable): " + TrtConf.PREFIX + "* options (or their short names) for the "
      + "inference; other spark.* keys go to the Spark session.")
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
    Map<String, String> sparkConf = new LinkedHashMap<>();
    List<String> trtConf = new ArrayList<>();
    for (String c : confs) {
      int eq = c.indexOf('=');
      if (eq <= 0) {
        throw new Errors.UsageException("--conf " + c + " is not key=value");
      }
      String key = c.substring(0, eq).trim();
      if (key.startsWith("spark.") && !key.startsWith(TrtConf.PREFIX)) {
        sparkConf.put(key, c.substring(eq + 1).trim());
      } else {
        trtConf.add(c);
      }
    }
    SparkSession spark = Spark.session(main.master, sparkConf);
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    List<Path> read = new ArrayList<>(Locations.inputs(input, hadoop));
    List<String> what = new ArrayList<>();
    read.forEach(p -> what.add("--input"));
    Path modelPath = Locations.path(model);
    read.add(modelPath);
    what.add("--model");
    read.add(new Path(modelPath.toString() + ".json"));
    what.add("the model's sidecar");
    Locations.checkOutput(output, hadoop, read, what);
    Path target = Locations.path(output);
    FileSystem fs = Locations.fs(target, hadoop);
    if (fs.exists(target) && !overwrite) {
      throw new Errors.UsageException("output " + output + " already exists; pass --overwrite to replace it");
    }
    TrtInference.Builder b = bound(TrtInference.builder().session(spark).model(model), binds, outs);
    if (batchSize != null) {
      b.batchSize(batchSize);
    }
    if (backend != null) {
      b.backend(backend);
    }
    if (keepBoundColumns) {
      b.keepBoundColumns(true);
    }
    trtConf.forEach(b::option);
    Dataset<Row> table = read(spark, format, Locations.path(input).toString());
    TrtInference inference;
    Dataset<Row> scored;
    try {
      // the model, bindings, types and the backend are checked here, on the driver, before any Spark job runs
      inference = b.build();
      scored = inference.transform(table);
    } catch (EngineException e) {
      throw new Errors.UsageException(e.getMessage());
    }
    long rowsIn = table.count();
    long jobStart = System.currentTimeMillis();
    String prefix = "." + target.getName() + "._trt_";
    Path staging = new Path(target.getParent(), prefix + UUID.randomUUID());
    long t0 = System.nanoTime();
    try {
      scored.write().parquet(staging.toString());
      replace(fs, staging, target, output);
    } finally {
      if (fs.exists(staging)) {
        fs.delete(staging, true);
      }
    }
    removeStaleStaging(fs, target.getParent(), prefix, staging, jobStart, out);
    double seconds = (System.nanoTime() - t0) / 1e9;
    long rowsOut = inference.metrics().rows();
    String used = inference.describe().lines().filter(l -> l.startsWith("backend on this host: ")).findFirst()
        .map(l -> l.substring("backend on this host: ".length())).orElse("?");
    out.printf(Locale.ROOT, "rows in: %d%nrows out: %d%nbackend: %s%nrows/s: %.0f%nstages: %s%noutput: %s%n", rowsIn,
        rowsOut, used, rowsOut / seconds, inference.metrics().summary(), output);
    String gpus = inference.metrics().placementSummary();
    if (!gpus.isEmpty()) {
      out.println("gpus: " + gpus);
    }
    return new Result(rowsIn, rowsOut, used, seconds, inference, output);
  }

  /**
   * Puts the finished {@code staging} folder at {@code target}: an existing output is first renamed aside
   * and only deleted once the new one is in place, and put back if the rename fails, so a failure never
   * loses both.
   */
  static void replace(FileSystem fs, Path staging, Path target, String shown) throws IOException {
    Path aside = null;
    if (fs.exists(target)) {
      aside = new Path(target.getParent(), "." + target.getName() + "._trt_old_" + UUID.randomUUID());
      if (!fs.rename(target, aside)) {
        throw new EngineException("could not move the old output " + shown + " aside to replace it (" + aside
            + "); it is unchanged, and the new result is discarded");
      }
    }
    if (!fs.rename(staging, target)) {
      if (aside != null && !fs.rename(aside, target)) {
        throw new EngineException("could not move the finished output to " + shown + ", nor the old one back: the old "
            + "output is at " + aside);
      }
      throw new EngineException("could not move the finished output " + staging + " to " + shown
          + (aside != null ? "; the old output is unchanged" : ""));
    }
    if (aside != null) {
      fs.delete(aside, true);
    }
  }

  /**
   * Deletes staging folders of this output left by earlier jobs that were killed before they could
   * clean up: not ours, and nothing inside changed since this job started (a job still writing there
   * keeps writing task files while this one runs). Best effort: a failure is printed, never fails the job.
   */
  private static void removeStaleStaging(FileSystem fs, Path parent, String prefix, Path ours, long jobStart,
      PrintWriter out) {
    try {
      FileStatus[] found = fs.globStatus(new Path(parent, prefix + "*"));
      for (FileStatus s : found == null ? new FileStatus[0] : found) {
        if (s.getPath().getName().equals(ours.getName()) || newest(fs, s) >= jobStart) {
          continue;
        }
        fs.delete(s.getPath(), true);
        out.println("removed " + s.getPath() + ", left by an earlier job that did not finish");
      }
    } catch (IOException | RuntimeException e) {
      out.println("could not remove stale staging folders of " + parent + " (" + e.getMessage() + "); the output is "
          + "written");
    }
  }

  /** The newest modification time in a folder's tree (object stores give folders none of their own). */
  private static long newest(FileSystem fs, FileStatus folder) throws IOException {
    long t = folder.getModificationTime();
    org.apache.hadoop.fs.RemoteIterator<org.apache.hadoop.fs.LocatedFileStatus> files = fs.listFiles(folder.getPath(), true);
    while (files.hasNext()) {
      t = Math.max(t, files.next().getModificationTime());
    }
    return t;
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

  /** {@code b} with the {@code --bind tensor=column} inputs and {@code --out tensor=column} outputs of a command. */
  static TrtInference.Builder bound(TrtInference.Builder b, List<String> binds, List<String> outs) {
    for (String s : binds) {
      TensorBinding t = TensorBinding.parse(s);
      b.input(t.tensor(), t.column());
    }
    for (String s : outs) {
      TensorBinding t = TensorBinding.parse(s);
      b.output(t.tensor(), t.column());
    }
    return b;
  }
}
