package dev.trtspark.conf;

import static dev.trtspark.conf.ConfigOptions.key;

import java.util.List;

/**
 * Keys for running inference: set them in the Spark session ({@code --conf spark.trt.batchSize=512})
 * or per call (an explicit option wins, see {@link ConfigResolver}). Builder keys are in {@link BuildConf}.
 */
public final class TrtConf {
  private TrtConf() {}

  /** What every trt-spark key starts with. */
  public static final String PREFIX = "spark.trt.";
  /** Key of {@link #PLAN_CACHE_DIR}, as a constant for annotation texts (CLI help). */
  public static final String PLAN_CACHE_DIR_KEY = PREFIX + "planCache.dir";
  /** Key of {@link #PLUGINS}, as a constant for annotation texts (CLI help). */
  public static final String PLUGINS_KEY = PREFIX + "plugins";

  public static final ConfigOption<String> MODEL = key("spark.trt.model")
      .stringType().noDefaultValue()
      .withDescription("Model to run: a TensorRT plan or an ONNX file, as a Hadoop FileSystem URI (file:, hdfs:, s3a:, ...) or a local path.");

  public static final ConfigOption<String> MODEL_SHA256 = key("spark.trt.model.sha256")
      .stringType().noDefaultValue()
      .withValidator(s -> s.matches("[0-9a-fA-F]{64}"), "64 hex digits")
      .withDescription("Expected sha256 of the model bytes; a model whose bytes differ is refused.");

  public static final ConfigOption<Backend> BACKEND = key("spark.trt.backend")
      .enumType(Backend.class).defaultValue(Backend.AUTO)
      .withDescription("Inference backend: auto = TensorRT when a GPU and TensorRT load, else ONNX Runtime on the CPU (ONNX models only).");

  public static final ConfigOption<Integer> BATCH_SIZE = key("spark.trt.batchSize")
      .intType().defaultValue(256)
      .withValidator(n -> n >= 1 && n <= (1 << 24), "1 to 16777216")
      .withDescription("Rows per inference batch; batches larger than the plan's profile allows are split.");

  public static final ConfigOption<Integer> BATCHES_IN_FLIGHT = key("spark.trt.batchesInFlight")
      .intType().defaultValue(3)
      .withValidator(n -> n >= 1 && n <= 64, "1 to 64")
      .withDescription("Batches a task keeps on the GPU while it fills the next (2 or more overlaps copies with compute); also the lanes of an engine's slots.")
      .fixed("per engine as the lanes of its slots, by the job that loads it; a later job may keep fewer batches in flight, not more");

  public static final ConfigOption<DeviceChoice> DEVICE = key("spark.trt.device")
      .custom("auto | CUDA ordinal", DeviceChoice::parse, DeviceChoice::toString).defaultValue(DeviceChoice.AUTO)
      .withDescription("GPU for each task: auto = the task's Spark gpu resource, else the executor's visible GPUs round-robin.");

  public static final ConfigOption<Long> ENGINE_CACHE_MAX_BYTES = key("spark.trt.engineCache.maxBytes")
      .bytesType().defaultValue(8L << 30)
      .withValidator(n -> n > 0, "more than 0")
      .withDescription("Model bytes an executor JVM keeps deserialized; unleased engines are evicted (LRU) beyond it.")
      .fixed("per executor JVM, by the first job that loads a model there");

  public static final ConfigOption<Integer> SLOTS_PER_ENGINE = key("spark.trt.slotsPerEngine")
      .intType().defaultValue(4)
      .withValidator(n -> n >= 1 && n <= 256, "1 to 256")
      .withDescription("Execution slots (context + stream + device buffers) per engine; tasks beyond it wait for a free slot.")
      .fixed("per engine, by the job that loads it");

  public static final ConfigOption<Long> SLOT_TIMEOUT_MS = key("spark.trt.slotTimeoutMs")
      .longType().defaultValue(600_000L)
      .withValidator(n -> n > 0, "more than 0")
      .withDescription("How long a task waits for a free execution slot before it fails, in milliseconds.");

  public static final ConfigOption<Long> PINNED_POOL_MAX_BYTES = key("spark.trt.pinnedPool.maxBytes")
      .bytesType().defaultValue(2L << 30)
      .withValidator(n -> n >= 0, "0 or more")
      .withDescription("Idle page-locked host buffers an executor JVM keeps for reuse by later batches; beyond it they are freed.")
      .fixed("per executor JVM, by the first job that runs a model there");

  public static final ConfigOption<Long> PINNED_POOL_IDLE_MS = key("spark.trt.pinnedPool.idleMs")
      .longType().defaultValue(30_000L)
      .withValidator(n -> n > 0, "more than 0")
      .withDescription("How long an idle page-locked buffer stays in the pool before it is freed, in milliseconds, so an executor that stopped running inference gives its pinned memory back.")
      .fixed("per executor JVM, by the first job that runs a model there");

  public static final ConfigOption<String> PLAN_CACHE_DIR = key(PLAN_CACHE_DIR_KEY)
      .stringType().defaultValue("local")
      .withDescription("Where plans built from ONNX models are kept, on any Hadoop FileSystem (hdfs:///..., s3a://..., "
          + "a local path): one per ONNX sha256, TensorRT version, GPU and build options, written atomically with its "
          + "sidecar; other executors and later sessions load it instead of building. 'local' = <java.io.tmpdir>/"
          + "trt-spark-plan-cache on each host; 'off' = build in memory every time. trt-spark build --plan-cache fills it.");

  public static final ConfigOption<String> PLUGINS = key(PLUGINS_KEY)
      .stringType().noDefaultValue()
      .withDescription("TensorRT plugin libraries (.so paths, comma-separated) to load before parsing or deserializing, on "
          + "every executor; TensorRT's standard plugins (EfficientNMS_TRT, ...) are always registered.");

  public static final ConfigOption<Long> BROADCAST_MAX_BYTES = key("spark.trt.broadcast.maxBytes")
      .bytesType().defaultValue(256L << 20)
      .withValidator(n -> n >= 0, "0 or more")
      .withDescription("Models up to this size are broadcast to executors with the job; larger ones are read from their URI there (and checked against their sha256).");

  public static final ConfigOption<BadRowPolicy> BAD_ROW_POLICY = key("spark.trt.badRowPolicy")
      .enumType(BadRowPolicy.class).defaultValue(BadRowPolicy.FAIL)
      .withDescription("A row that cannot be a tensor (null, wrong length, disallowed NaN/Inf): fail the task, or emit null outputs and count it.");

  public static final ConfigOption<Boolean> ALLOW_NON_FINITE = key("spark.trt.allowNonFinite")
      .booleanType().defaultValue(true)
      .withDescription("Whether NaN and Inf in floating-point inputs go to the model; false makes such rows bad rows, and also rows with a value too large for the tensor's type (it would be infinite there, as 70000 in float16).");

  public static final ConfigOption<Boolean> KEEP_BOUND_COLUMNS = key("spark.trt.keepBoundColumns")
      .booleanType().defaultValue(false)
      .withDescription("Whether the result keeps the columns bound to model inputs; off by default, since tensor columns are large and copying them to the output (and writing them again) costs more than the inference.");

  public static final ConfigOption<Boolean> COLUMNAR_INPUT = key("spark.trt.columnarInput")
      .booleanType().defaultValue(true)
      .withDescription("Whether a DataFrame that is a columnar scan (Parquet, ORC; optionally a selection of its columns) is read batch by batch with bulk copies instead of row by row; false forces the row path (for comparisons).");

  public static final ConfigOption<Boolean> LENGTH_BUCKETING = key("spark.trt.lengthBucketing")
      .booleanType().defaultValue(true)
      .withDescription("Whether a batch's rows are grouped by the length of their variable-length inputs into sub-batches, "
          + "one per length bucket (the plan's optimization profiles, or spark.trt.build.lengthBuckets on ONNX Runtime), "
          + "each padded only to its own longest row and run with the profile that fits it; outputs come back in input "
          + "order. false pads every row to the batch's longest. Without buckets nothing is grouped.");

  /** Every key of this class, in documentation order. */
  public static List<ConfigOption<?>> all() {
    return List.of(MODEL, MODEL_SHA256, BACKEND, BATCH_SIZE, BATCHES_IN_FLIGHT, DEVICE, ENGINE_CACHE_MAX_BYTES,
        SLOTS_PER_ENGINE, SLOT_TIMEOUT_MS, PINNED_POOL_MAX_BYTES, PINNED_POOL_IDLE_MS, PLAN_CACHE_DIR, PLUGINS, BROADCAST_MAX_BYTES, BAD_ROW_POLICY,
        ALLOW_NON_FINITE, KEEP_BOUND_COLUMNS, COLUMNAR_INPUT, LENGTH_BUCKETING);
  }
}
