package dev.trtspark.conf;

import static dev.trtspark.conf.ConfigOptions.key;

import java.util.List;

/**
 * Keys for building a TensorRT plan from ONNX (the build phase of the TensorRT developer guide):
 * precision, workspace, optimization profiles and the timing cache. Read by {@code trt-spark build}.
 */
public final class BuildConf {
  private BuildConf() {}

  /** What every builder key starts with. */
  public static final String PREFIX = TrtConf.PREFIX + "build.";
  /** Key of {@link #LENGTH_BUCKETS}, as a constant for annotation texts (CLI help). */
  public static final String LENGTH_BUCKETS_KEY = PREFIX + "lengthBuckets";

  public static final ConfigOption<List<Precision>> PRECISION = key("spark.trt.build.precision")
      .enumListType(Precision.class).defaultValue(List.of(Precision.FP32, Precision.TF32))
      .withDescription("Precisions TensorRT may choose kernels in, comma-separated (int8 only for models with Q/DQ nodes). "
          + "TF32 is on by default, as in TensorRT and trtexec; fp32 alone is strict IEEE float32 (trtexec --noTF32).");

  public static final ConfigOption<Long> WORKSPACE_BYTES = key("spark.trt.build.workspaceBytes")
      .bytesType().defaultValue(0L)
      .withDescription("Workspace memory-pool limit for the builder and the engine; 0 = TensorRT's default (the device's memory).");

  public static final ConfigOption<Integer> OPTIMIZATION_LEVEL = key("spark.trt.build.optimizationLevel")
      .intType().defaultValue(3)
      .withValidator(n -> n >= 0 && n <= 5, "0 to 5")
      .withDescription("Builder optimization level: higher searches more tactics and builds slower.");

  public static final ConfigOption<Integer> MIN_BATCH = key("spark.trt.build.minBatch")
      .intType().defaultValue(1)
      .withValidator(n -> n >= 1, "at least 1")
      .withDescription("Smallest batch the plan's optimization profile accepts (dimension 0 of every dynamic-batch input).");

  public static final ConfigOption<Integer> OPT_BATCH = key("spark.trt.build.optBatch")
      .intType().noDefaultValue()
      .withValidator(n -> n >= 1, "at least 1")
      .withDescription("Batch the plan is tuned for; unset = maxBatch.");

  public static final ConfigOption<Integer> MAX_BATCH = key("spark.trt.build.maxBatch")
      .intType().defaultValue(1024)
      .withValidator(n -> n >= 1, "at least 1")
      .withDescription("Largest batch the plan accepts; make it at least spark.trt.batchSize or batches get split.");

  public static final ConfigOption<ShapeSpec> MIN_SHAPES = key("spark.trt.build.minShapes")
      .shapesType().noDefaultValue()
      .withDescription("Profile minimum shapes for inputs with other dynamic dimensions, trtexec style: name:1x16[,name:...].");

  public static final ConfigOption<ShapeSpec> OPT_SHAPES = key("spark.trt.build.optShapes")
      .shapesType().noDefaultValue()
      .withDescription("Profile optimum shapes, trtexec style: name:256x64[,name:...].");

  public static final ConfigOption<ShapeSpec> MAX_SHAPES = key("spark.trt.build.maxShapes")
      .shapesType().noDefaultValue()
      .withDescription("Profile maximum shapes, trtexec style: name:1024x128[,name:...].");

  public static final ConfigOption<List<Long>> LENGTH_BUCKETS = key(LENGTH_BUCKETS_KEY)
      .custom("ascending list of lengths", BuildConf::parseLengths,
          l -> l.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(",")))
      .noDefaultValue()
      .withDescription("Length buckets for variable-length inputs (a dynamic second dimension, such as a token "
          + "sequence), ascending: 16,32,64,128. TensorRT builds one optimization profile per bucket (lengths from the "
          + "profile's minimum up to the bucket, tuned at it; the max shape is added as the last bucket), and a batch's "
          + "rows are grouped by bucket so each group is padded only to its own longest row (spark.trt.lengthBucketing). "
          + "On ONNX Runtime only the grouping applies.");

  static List<Long> parseLengths(String s) {
    List<Long> out = new java.util.ArrayList<>();
    for (String part : s.split(",")) {
      long v = Long.parseLong(part.trim());
      if (v < 1) {
        throw new IllegalArgumentException(v + " is not a length (at least 1)");
      }
      if (!out.isEmpty() && v <= out.get(out.size() - 1)) {
        throw new IllegalArgumentException("lengths must be ascending, " + v + " follows " + out.get(out.size() - 1));
      }
      out.add(v);
    }
    return List.copyOf(out);
  }

  public static final ConfigOption<String> TIMING_CACHE = key("spark.trt.build.timingCache")
      .stringType().noDefaultValue()
      .withDescription("Timing-cache file: read before the build if it exists, written after it; speeds up rebuilds.");

  public static final ConfigOption<Boolean> STRONGLY_TYPED = key("spark.trt.build.stronglyTyped")
      .booleanType().defaultValue(false)
      .withDescription("Build a strongly typed network: every tensor keeps the type the ONNX model gives it, and the "
          + "precision flags do not apply (trtexec --stronglyTyped; for models exported in fp16/bf16 with casts).");

  public static final ConfigOption<Boolean> VERSION_COMPATIBLE = key("spark.trt.build.versionCompatible")
      .booleanType().defaultValue(false)
      .withDescription("Build a version-compatible plan that later TensorRT 10.x runtimes can load (somewhat slower).");

  /** Every key of this class, in documentation order. */
  public static List<ConfigOption<?>> all() {
    return List.of(PRECISION, WORKSPACE_BYTES, OPTIMIZATION_LEVEL, MIN_BATCH, OPT_BATCH, MAX_BATCH, MIN_SHAPES,
        OPT_SHAPES, MAX_SHAPES, LENGTH_BUCKETS, TIMING_CACHE, STRONGLY_TYPED, VERSION_COMPATIBLE);
  }
}
