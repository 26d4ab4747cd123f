package dev.trtspark.jobs;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The trt-spark command line: {@code build}, {@code inspect}, {@code infer}, {@code compare},
 * {@code bench}, {@code demo}. Runs under {@code spark-submit --class dev.trtspark.jobs.Main} or locally through
 * {@code bin/trt-spark} (embedded Spark, {@code local[*]} unless {@code --master}). Errors are one
 * readable paragraph on stderr; stack traces (ours and Spark's, whose logging is switched off in this
 * JVM) only with {@code --verbose}. Exit codes: 0 done; 1 the job failed (a bad row, a model that
 * cannot run, an I/O error while running); 2 bad arguments, found before any Spark job ran (an unknown
 * option or key, an invalid value, a missing input, an existing or unsafe output, a binding that does
 * not fit the model or the table).
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

  /** Exit code of a run that failed. */
  static final int FAILED = 1;
  /** Exit code of bad arguments. */
  static final int USAGE = 2;

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, true);
    PrintWriter err = new PrintWriter(System.err, true);
    int code;
    try {
      code = run(out, err, args);
    } finally {
      // System.exit does not flush a PrintWriter: print() without a newline would be lost
      out.flush();
      err.flush();
    }
    System.exit(code);
  }

  /** Runs a command line, printing to {@code out} and {@code err}; returns the exit code. */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    if (!java.util.Arrays.asList(args).contains("--verbose")) {
      quietSpark();
    }
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
      return Errors.isUsage(e) ? USAGE : FAILED;
    });
    return cl.execute(args);
  }

  /**
   * Spark and Hadoop log a task's failure with its stack trace (several times: executor, task set,
   * scheduler) before the job fails; the command prints the one paragraph that matters instead. Their
   * warnings and errors come back with --verbose. Only this JVM (the driver; in local mode also the
   * executors) is affected.
   */
  private static void quietSpark() {
    try {
      for (String logger : new String[] {"org.apache.spark", "org.apache.hadoop", "org.sparkproject", "org.apache.parquet"}) {
        org.apache.logging.log4j.core.config.Configurator.setLevel(logger, org.apache.logging.log4j.Level.OFF);
      }
    } catch (LinkageError e) {
      // a Spark distribution logging through something else than Log4j 2: its own configuration applies
    }
  }
}
