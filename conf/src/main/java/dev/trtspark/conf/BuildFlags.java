package dev.trtspark.conf;

/**
 * The command line of {@code trt-spark build}, named once: the CLI declares its options with these
 * constants, and every message that tells a user how to build or rebuild a plan is made here, so that
 * renaming a flag cannot leave a stale hint behind.
 */
public final class BuildFlags {
  private BuildFlags() {}

  public static final String COMMAND = "trt-spark build";
  public static final String ONNX = "--onnx";
  public static final String OUTPUT = "--output";
  public static final String PLAN_CACHE = "--plan-cache";
  public static final String MIN_SHAPES = "--min-shapes";
  public static final String OPT_SHAPES = "--opt-shapes";
  public static final String MAX_SHAPES = "--max-shapes";
  public static final String MAX_BATCH = "--max-batch";
  public static final String PLUGINS = "--plugins";
  public static final String FP16 = "--fp16";
  public static final String BF16 = "--bf16";
  public static final String FP8 = "--fp8";
  public static final String INT8 = "--int8";
  public static final String TF32 = "--tf32";
  public static final String NO_TF32 = "--noTF32";
  public static final String BEST = "--best";

  /** {@code trt-spark build} followed by {@code args} (flags and values), for a message. */
  public static String command(String... args) {
    return args.length == 0 ? COMMAND : COMMAND + " " + String.join(" ", args);
  }

  /** The flag of a precision of {@code spark.trt.build.precision} ({@code fp16} -> {@code --fp16}). */
  public static String precision(String name) {
    return "--" + name;
  }

  /** The shapes flag of a profile point: 0 = min, 1 = opt, 2 = max. */
  public static String shapes(int point) {
    return switch (point) {
      case 0 -> MIN_SHAPES;
      case 1 -> OPT_SHAPES;
      case 2 -> MAX_SHAPES;
      default -> throw new IllegalArgumentException("profile point " + point + "; expected 0 (min), 1 (opt) or 2 (max)");
    };
  }
}
