package dev.trtspark.jobs;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code demo}: {@code infer} on the committed digits example (the model and the 1,797 images as
 * Parquet), predictions to a temporary folder, then the accuracy against the {@code label} column.
 * Runs on the GPU when there is one, else on ONNX Runtime.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, description = "Score the bundled digits example and print the accuracy.")
final class DemoCommand implements Callable<Integer> {
  @ParentCommand
  Main main;

  @Spec
  CommandSpec spec;

  @Option(names = "--home", description = "The trt-spark checkout holding examples/digits (default: trt.home, else the working directory).")
  Path home;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Path root = home != null ? home : Path.of(System.getProperty("trt.home", "."));
    Path digits = root.resolve("examples/digits");
    if (!Files.exists(digits.resolve("digits.onnx"))) {
      throw new Errors.UsageException("examples/digits/digits.onnx not found under " + root.toAbsolutePath()
          + "; run from the trt-spark checkout or pass --home");
    }
    Path output = Files.createTempDirectory("trt-spark-demo").resolve("predictions");
    InferCommand infer = new InferCommand();
    infer.main = main;
    infer.model = digits.resolve("digits.onnx").toString();
    infer.input = digits.resolve("digits.parquet").toString();
    infer.output = output.toString();
    infer.binds = List.of("features=features");
    infer.outs = List.of("probs=probs");
    InferCommand.Result r = infer.run(out);
    SparkSession spark = Spark.session(main.master);
    long correct = spark.read().parquet(output.toString())
        .filter("array_position(probs, array_max(probs)) - 1 = label").count();
    out.printf(Locale.ROOT, "accuracy=%.4f (%d of %d; recorded at training: 0.9911, 1781 of 1797)%n",
        (double) correct / r.rowsOut(), correct, r.rowsOut());
    return 0;
  }
}
