package dev.trtspark.engine.tensor;

import dev.trtspark.conf.BuildConf;
import dev.trtspark.conf.ConfigOption;
import dev.trtspark.conf.ResolvedConfig;
import dev.trtspark.conf.ShapeSpec;
import dev.trtspark.engine.EngineException;
import java.util.List;

/**
 * The min / opt / max shape of an input from the build options: a shape option
 * ({@code spark.trt.build.minShapes} ...) for the input wins; otherwise a dynamic dimension 0 takes
 * the batch range. The TensorRT builder turns this into its optimization profile, and ONNX Runtime
 * enforces the same ranges, so both backends accept the same batches.
 */
public final class ProfileRanges {
  private static final List<ConfigOption<ShapeSpec>> SHAPES =
      List.of(BuildConf.MIN_SHAPES, BuildConf.OPT_SHAPES, BuildConf.MAX_SHAPES);
  private static final String[] WHICH = {"min", "opt", "max"};

  private ProfileRanges() {}

  /**
   * @param strict true for TensorRT: every dynamic dimension needs a range; false for ONNX Runtime:
   *     dimensions without one range over 1..unbounded
   * @return {min, opt, max}
   */
  public static long[][] of(String name, long[] declared, ResolvedConfig config, String model, boolean strict) {
    long[][] r = new long[3][];
    int maxBatch = config.get(BuildConf.MAX_BATCH);
    long[] batch = {config.get(BuildConf.MIN_BATCH), config.getOptional(BuildConf.OPT_BATCH).orElse(maxBatch), maxBatch};
    long[] open = {1, 1, TensorInfo.UNBOUNDED};
    for (int s = 0; s < 3; s++) {
      ConfigOption<ShapeSpec> option = SHAPES.get(s);
      long[] given = config.getOptional(option).map(spec -> spec.shape(name)).orElse(null);
      if (given != null) {
        check(option, name, declared, given);
        r[s] = given;
        continue;
      }
      long[] shape = declared.clone();
      for (int d = 0; d < shape.length; d++) {
        if (shape[d] >= 0) {
          continue;
        }
        if (d == 0) {
          shape[d] = batch[s];
        } else if (!strict) {
          shape[d] = open[s];
        } else {
          throw new EngineException("input " + name + " of " + model + " has dynamic dimension " + d + " "
              + TensorInfo.format(declared) + "; give its range with " + BuildConf.MIN_SHAPES.key() + ", "
              + BuildConf.OPT_SHAPES.key() + " and " + BuildConf.MAX_SHAPES.key() + " (trt-spark build --"
              + WHICH[s] + "-shapes " + name + ":...)");
        }
      }
      r[s] = shape;
    }
    boolean optGiven = config.getOptional(BuildConf.OPT_SHAPES).map(spec -> spec.shape(name)).isPresent();
    for (int d = 0; d < declared.length && !optGiven; d++) {
      // a derived opt (from the batch options) stays inside a range the user gave
      r[1][d] = Math.max(r[0][d], Math.min(r[1][d], r[2][d]));
    }
    for (int d = 0; d < declared.length; d++) {
      if (!(r[0][d] <= r[1][d] && r[1][d] <= r[2][d])) {
        throw new EngineException("profile of input " + name + " is not ordered in dimension " + d + ": min "
            + TensorInfo.format(r[0]) + ", opt " + TensorInfo.format(r[1]) + ", max " + TensorInfo.format(r[2]));
      }
    }
    return r;
  }

  private static void check(ConfigOption<ShapeSpec> option, String name, long[] declared, long[] given) {
    if (given.length != declared.length) {
      throw new EngineException(option.key() + " gives " + name + " rank " + given.length + " " + TensorInfo.format(given)
          + "; the model's input has rank " + declared.length + " " + TensorInfo.format(declared));
    }
    for (int d = 0; d < declared.length; d++) {
      if (declared[d] >= 0 && declared[d] != given[d]) {
        throw new EngineException(option.key() + " gives " + name + " dimension " + d + " = " + given[d]
            + ", but the model fixes it at " + declared[d]);
      }
    }
  }
}
