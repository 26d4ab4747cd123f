package dev.trtspark.jobs;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The trt-spark command line: {@code build}, {@code inspect}, {@code infer}, {@code compare},
 * {@code bench}, {@code demo}. Runs under {@code spark-submit --class dev.trtspark.jobs.Main} or locally through
 * {@code bin/trt-spark} (embedded Spark, {@code local[*]} unless {@code --master}). Errors are one
 * readable paragraph on stderr; stack traces only with {@code --verbose}. Exit codes: 0 done, 1 failed,
 * 2 bad arguments.
 */
@Command(name = "trt-spark", mixinStandardHelpOptions = true, version = "trt-spark 0.1.0",
    description = "TensorRT inference in Spark batch pipelines.",
    subcommands = {DemoCommand.class, InferCommand.class, InspectCommand.class, BuildCommand.class,
        CompareCommand.class, BenchCommand.class})
public final class Main implements Runnable {
  @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT, description = "Show stack traces on errors.")
  boolean verbose;

  @Option(names = "--master", scope = CommandLine.ScopeType.INHERIT,
      description = "Spark master for local runs (default local[*]; ignored under spark-submit).")
  String master;

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  public static void main(String[] args) {
    System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
  }

  /** Runs a command line, printing to {@code out} and {@code err}; returns the exit code. */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cl = new CommandLine(new Main());
    cl.setOut(out);
    cl.setErr(err);
    cl.setExecutionExceptionHandler((e, line, parsed) -> {
      Main root = (Main) line.getCommandSpec().root().userObject();
      err.println("trt-spark " + line.getCommandName() + ": " + Errors.describe(e));
      if (root.verbose) {
        e.printStackTrace(err);
      } else {
        err.println("(run with --verbose for the stack trace)");
      }
      return 1;
    });
    return cl.execute(args);
  }
}
