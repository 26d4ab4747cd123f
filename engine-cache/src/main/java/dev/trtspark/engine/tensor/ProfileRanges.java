package dev.trtspark.engine.tensor;

import dev.trtspark.conf.BuildFlags;
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
              + BuildConf.OPT_SHAPES.key() + " and " + BuildConf.MAX_SHAPES.key() + " ("
              + BuildFlags.command(BuildFlags.shapes(s), name + ":...") + ")");
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

  /**
   * The optimization profiles of a plan built with {@code spark.trt.build.lengthBuckets}: one per
   * bucket, in which every variable-length input ({@link TensorInfo#isPadded()}: rank 2, dynamic second
   * dimension) ranges from its minimum up to the bucket and is tuned at it; other inputs keep
   * {@code ranges}. The longest max length is added as the last bucket, and buckets outside an
   * input's range are clipped to it. Without buckets, or without a variable-length input, the one
   * profile {@code ranges}.
   *
   * @param ranges per input (in model order) its {min, opt, max} from {@link #of}
   */
  public static List<java.util.Map<String, long[][]>> profiles(java.util.Map<String, long[][]> ranges,
      java.util.Map<String, long[]> declared, ResolvedConfig config) {
    long[] bounds = bucketBounds(ranges, declared, config);
    if (bounds.length <= 1) {
      return List.of(ranges);
    }
    List<java.util.Map<String, long[][]>> out = new java.util.ArrayList<>();
    for (long bound : bounds) {
      java.util.Map<String, long[][]> p = new java.util.LinkedHashMap<>();
      ranges.forEach((name, r) -> {
        long[][] c = {r[0].clone(), r[1].clone(), r[2].clone()};
        if (isVariableLength(declared.get(name))) {
          long len = Math.max(r[0][1], Math.min(bound, r[2][1]));
          c[1][1] = len;
          c[2][1] = len;
        }
        p.put(name, c);
      });
      out.add(p);
    }
    return out;
  }

  /**
   * The upper bounds of the length buckets for these inputs, ascending, the last one the longest max
   * length of a variable-length input ({@link TensorInfo#UNBOUNDED} where nothing limits it); empty
   * without {@code spark.trt.build.lengthBuckets} or a variable-length input.
   */
  public static long[] bucketBounds(java.util.Map<String, long[][]> ranges, java.util.Map<String, long[]> declared,
      ResolvedConfig config) {
    List<Long> buckets = config.getOptional(BuildConf.LENGTH_BUCKETS).orElse(List.of());
    long longest = -1;
    long shortest = Long.MAX_VALUE;
    for (var e : ranges.entrySet()) {
      if (isVariableLength(declared.get(e.getKey()))) {
        longest = Math.max(longest, e.getValue()[2][1]);
        shortest = Math.min(shortest, e.getValue()[0][1]);
      }
    }
    if (buckets.isEmpty() || longest < 0) {
      return new long[0];
    }
    List<Long> out = new java.util.ArrayList<>();
    for (long b : buckets) {
      if (b >= shortest && b < longest) {
        out.add(b);
      }
    }
    out.add(longest);
    return out.stream().mapToLong(Long::longValue).toArray();
  }

  private static boolean isVariableLength(long[] declared) {
    return declared != null && declared.length == 2 && declared[1] < 0;
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
