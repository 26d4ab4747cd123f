package dev.trtspark.spark;

import dev.trtspark.arrow.binding.InputColumn;
import dev.trtspark.arrow.binding.OutputColumn;
import dev.trtspark.conf.ConfigException;
import dev.trtspark.conf.ConfigResolver;
import dev.trtspark.conf.InferenceSpec;
import dev.trtspark.conf.ModelRef;
import dev.trtspark.conf.ResolvedConfig;
import dev.trtspark.conf.TensorBinding;
import dev.trtspark.conf.TrtConf;
import dev.trtspark.engine.EngineException;
import dev.trtspark.engine.Engines;
import dev.trtspark.engine.model.ArtifactLoader;
import dev.trtspark.engine.model.ModelArtifact;
import dev.trtspark.engine.model.ModelKind;
import dev.trtspark.engine.tensor.DType;
import dev.trtspark.engine.tensor.ModelSignature;
import dev.trtspark.engine.tensor.TensorInfo;
import dev.trtspark.spark.exec.ColumnarInput;
import dev.trtspark.spark.exec.ModelPayload;
import dev.trtspark.spark.exec.InputSource;
import dev.trtspark.spark.exec.PartitionInference;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.ArrowUtils;
import scala.reflect.ClassTag$;

/**
 * Inference as a DataFrame transformation:
 * {@code TrtInference.builder().model("hdfs:///m/resnet.plan").input("x", "features").output("y", "scores")
 * .batchSize(256).build().transform(df)} returns the input rows in the same order, without the columns
 * bound to model inputs (unless {@code spark.trt.keepBoundColumns}), plus one column per output (per-row
 * vectors as arrays, per-row scalars as scalars). The output schema is known before anything runs; a
 * column that cannot feed its tensor fails here, naming it.
 *
 * <p>Built on the driver: the model is read once, its sha256 computed, options resolved (call option &gt;
 * session conf &gt; default) and, when small enough, the model broadcast once; every {@link #transform}
 * reuses that. Executors receive only the resolved {@link InferenceSpec}.
 */
public final class TrtInference {
  private final SparkSession spark;
  private final InferenceSpec spec;
  private final ModelSignature signature;
  private final ModelKind kind;
  private final Broadcast<ModelPayload> payload;
  private final InferenceMetrics metrics;

  private TrtInference(SparkSession spark, InferenceSpec spec, ModelSignature signature, ModelKind kind,
      Broadcast<ModelPayload> payload, InferenceMetrics metrics) {
    this.spark = spark;
    this.spec = spec;
    this.signature = signature;
    this.kind = kind;
    this.payload = payload;
    this.metrics = metrics;
  }

  public static Builder builder() {
    return new Builder();
  }

  public InferenceSpec spec() {
    return spec;
  }

  /** Counters of every transform of this inference so far (Spark accumulators). */
  public InferenceMetrics metrics() {
    return metrics;
  }

  /**
   * The schema {@link #transform} produces for an input schema: its columns (without those bound to
   * model inputs, unless {@code spark.trt.keepBoundColumns}), then one per output.
   *
   * @throws IllegalArgumentException naming the column when one is missing or cannot feed its tensor,
   *     or an output column would replace an input column
   */
  public StructType transformSchema(StructType input) {
    return partitionPlan(input).resultSchema();
  }

  private PartitionInference partitionPlan(StructType input) {
    List<InputSource> sources = new ArrayList<>();
    List<Integer> ordinals = new ArrayList<>();
    Set<String> bound = new HashSet<>();
    for (TensorBinding b : spec.inputs()) {
      List<String> columns = InputSource.resolve(b.column(), b.tensor(), input);
      List<org.apache.spark.sql.types.DataType> types = new ArrayList<>();
      for (String c : columns) {
        types.add(input.apply(c).dataType());
        ordinals.add(input.fieldIndex(c));
        bound.add(c);
      }
      sources.add(source(b.tensor(), b.column(), columns, types));
    }
    boolean keep = spec.config().get(TrtConf.KEEP_BOUND_COLUMNS);
    List<Integer> pass = new ArrayList<>();
    for (int i = 0; i < input.size(); i++) {
      if (keep || !bound.contains(input.fields()[i].name())) {
        pass.add(i);
      }
    }
    StructType outputs = new StructType();
    for (TensorBinding b : spec.outputs()) {
      if (pass.stream().anyMatch(i -> input.fields()[i].name().equals(b.column()))) {
        throw new IllegalArgumentException("output column '" + b.column() + "' (for tensor '" + b.tensor()
            + "') already exists in the input; name it something else with output(\"" + b.tensor() + "\", \"...\")");
      }
      outputs = outputs.add(new StructField(b.column(), outputType(b), true, Metadata.empty()));
    }
    return new PartitionInference(spec, payload, metrics, input, sources,
        ordinals.stream().mapToInt(Integer::intValue).toArray(), pass.stream().mapToInt(Integer::intValue).toArray(),
        outputs);
  }

  /**
   * The source feeding {@code tensor} from {@code columns} of {@code types} ({@code name} in messages),
   * checked against the tensor.
   *
   * @throws IllegalArgumentException naming the column, its type and what the tensor takes
   */
  private InputSource source(String tensor, String name, List<String> columns, List<DataType> types) {
    InputSource source = new InputSource(tensor, name, columns, types);
    TensorInfo t = signature.require(tensor, true);
    try {
      InputColumn.bind(new TensorBinding(tensor, name), t, source.arrowField(t));
    } catch (EngineException e) {
      throw new IllegalArgumentException(e.getMessage() + " (Spark type" + (types.size() == 1 ? " " + types.get(0)
          .simpleString() : "s " + types.stream().map(DataType::simpleString).toList()) + ")", e);
    }
    return source;
  }

  /** The input tensors in binding order: what a {@link #predict} call takes, in that order. */
  public List<String> inputTensors() {
    return spec.inputs().stream().map(TensorBinding::tensor).toList();
  }

  /** One field per output binding, named after its column: the values a {@link #predict} call gives. */
  public StructType outputSchema() {
    StructType out = new StructType();
    for (TensorBinding b : spec.outputs()) {
      out = out.add(new StructField(b.column(), outputType(b), true, Metadata.empty()));
    }
    return out;
  }

  /** Checks arguments of {@code types} ({@code names} in messages) for the inputs, {@code perInput} columns each. */
  public void checkArguments(List<String> names, List<DataType> types, List<Integer> perInput) {
    sources(names, types, perInput);
  }

  private List<InputSource> sources(List<String> names, List<DataType> types, List<Integer> perInput) {
    List<InputSource> sources = new ArrayList<>();
    int k = 0;
    for (int i = 0; i < spec.inputs().size(); i++) {
      int n = perInput.get(i);
      List<String> columns = names.subList(k, k + n);
      sources.add(source(spec.inputs().get(i).tensor(), String.join(",", columns), columns, types.subList(k, k + n)));
      k += n;
    }
    return sources;
  }

  /**
   * The executor side of one inference operator ({@code TrtEvaluationExec}) over rows of {@code input}:
   * the arguments are its columns {@code args} ({@code names} in messages, {@code perInput} per input
   * binding), {@code pass} its columns carried to the output, and the outputs are named {@code results}.
   * In local mode, a backend that cannot run here fails now.
   */
  public PartitionInference operatorPlan(StructType input, List<String> names, int[] args, List<Integer> perInput,
      int[] pass, List<String> results) {
    checkBackendInLocalMode();
    List<DataType> types = new ArrayList<>();
    for (int a : args) {
      types.add(input.fields()[a].dataType());
    }
    List<InputSource> sources = sources(names, types, perInput);
    InferenceSpec.Builder sb = InferenceSpec.builder().model(spec.model()).config(spec.config());
    sources.forEach(src -> sb.input(src.tensor(), src.column()));
    StructType outputs = new StructType();
    for (int i = 0; i < spec.outputs().size(); i++) {
      TensorBinding b = spec.outputs().get(i);
      sb.output(b.tensor(), results.get(i));
      outputs = outputs.add(new StructField(results.get(i), outputType(b), true, Metadata.empty()));
    }
    return new PartitionInference(sb.build(), payload, metrics, input, sources, args, pass, outputs);
  }

  /**
   * This inference as a column: {@code df.withColumn("probs", inference.predict(col("features")))}. The
   * arguments are the input bindings' columns in binding order (one per input); the value is the output
   * column, or a struct of the outputs for several. Runs in one batched operator per use, as
   * {@link #transform} does, and works in {@code select}, {@code withColumn} and {@code where}.
   */
  public org.apache.spark.sql.Column predict(org.apache.spark.sql.Column... args) {
    List<Integer> perInput = new ArrayList<>();
    spec.inputs().forEach(b -> perInput.add(1));
    List<String> names = new ArrayList<>();
    for (org.apache.spark.sql.Column c : args) {
      names.add(c.toString());
    }
    return predict(List.of(args), perInput, names);
  }

  private org.apache.spark.sql.Column predict(List<org.apache.spark.sql.Column> args, List<Integer> perInput,
      List<String> names) {
    dev.trtspark.spark.sql.TrtSql.install(spark);
    List<org.apache.spark.sql.catalyst.expressions.Expression> exprs = new ArrayList<>();
    args.forEach(c -> exprs.add(org.apache.spark.sql.classic.ExpressionUtils.expression(c)));
    String name = spec.model().uri().substring(spec.model().uri().lastIndexOf('/') + 1);
    return org.apache.spark.sql.classic.ExpressionUtils.column(new dev.trtspark.spark.sql.TrtPredict(name, this,
        scala.jdk.javaapi.CollectionConverters.asScala(exprs).toList(), perInput, names));
  }

  /** The model's tensors (driver side). */
  ModelSignature signature() {
    return signature;
  }

  Broadcast<ModelPayload> payload() {
    return payload;
  }

  DataType outputType(TensorBinding b) {
    TensorInfo t = signature.require(b.tensor(), false);
    try {
      return ArrowUtils.fromArrowField(OutputColumn.bind(b, t).field());
    } catch (UnsupportedOperationException e) {
      throw new IllegalArgumentException("output tensor '" + b.tensor() + "' has type " + t.dataType().display()
          + ", which Spark has no column type for", e);
    }
  }

  /**
   * Runs the model over {@code df}: its rows in order, with the columns of {@link #transformSchema}. When
   * {@code df} is a columnar scan (Parquet, ORC), optionally with a selection of columns, the scan's
   * column batches are read directly (one bulk copy per column and batch); any other plan runs on rows.
   */
  public Dataset<Row> transform(Dataset<?> df) {
    StructType input = df.schema();
    PartitionInference plan = partitionPlan(input);
    checkBackendInLocalMode();
    List<org.apache.spark.sql.Column> pass = new ArrayList<>();
    for (int i : plan.pass()) {
      pass.add(df.col(quote(input.fields()[i].name())));
    }
    // the DataFrame's own session plans it (it may be another session than this inference's)
    dev.trtspark.spark.sql.TrtSql.install(df.sparkSession());
    List<org.apache.spark.sql.Column> args = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (int i : plan.bound()) {
      args.add(df.col(quote(input.fields()[i].name())));
      names.add(input.fields()[i].name());
    }
    List<Integer> perInput = new ArrayList<>();
    plan.sources().forEach(src -> perInput.add(src.columns().size()));
    org.apache.spark.sql.Column value = predict(args, perInput, names);
    List<org.apache.spark.sql.Column> out = new ArrayList<>(pass);
    StructType outputs = plan.outputs();
    if (outputs.size() == 1) {
      out.add(value.as(outputs.fields()[0].name()));
      return df.select(out.toArray(new org.apache.spark.sql.Column[0]));
    }
    String struct = "_trt_outputs_" + System.identityHashCode(this);
    out.add(value.as(struct));
    Dataset<Row> withStruct = df.select(out.toArray(new org.apache.spark.sql.Column[0]));
    List<org.apache.spark.sql.Column> flat = new ArrayList<>();
    for (int i : plan.pass()) {
      flat.add(withStruct.col(quote(input.fields()[i].name())));
    }
    for (StructField f : outputs.fields()) {
      flat.add(withStruct.col(quote(struct)).getField(f.name()).as(f.name()));
    }
    return withStruct.select(flat.toArray(new org.apache.spark.sql.Column[0]));
  }

  private static String quote(String column) {
    return "`" + column.replace("`", "``") + "`";
  }

  /**
   * In local mode the driver is the executor: a backend that cannot run here fails now, on the
   * driver, rather than in every task of the first stage. On a cluster only the executors can tell.
   */
  void checkBackendInLocalMode() {
    if (spark.sparkContext().isLocal()) {
      Engines.choose(spec.config().get(TrtConf.BACKEND), kind);
    }
  }

  /**
   * The Spark type of the values a column holds to feed a tensor of type {@code t} with the least
   * conversion (float for float tensors, tinyint for int8, ...), or null where only a {@code binary}
   * column of raw bytes does (uint8).
   */
  public static DataType sparkTypeFeeding(DType t) {
    return InputSource.sparkTypeFeeding(t);
  }

  /** Whether {@link #transform} would read {@code df}'s columnar batches (rather than its rows). */
  public static boolean readsColumnar(Dataset<?> df) {
    return ColumnarInput.find(((org.apache.spark.sql.classic.Dataset<?>) df).queryExecution().executedPlan()).isPresent();
  }

  /** What will run: the model, its IO tensors, the bindings, the backend this host would pick, and the options set. */
  public String describe() {
    StringBuilder b = new StringBuilder();
    b.append("model ").append(spec.model().uri()).append(" (").append(kind).append(", ").append(spec.model().sizeBytes())
        .append(" bytes, sha256 ").append(spec.model().sha256()).append(")\n");
    b.append(signature.describe());
    b.append("inputs:  ").append(spec.inputs()).append('\n');
    b.append("outputs: ").append(spec.outputs()).append('\n');
    String backend;
    try {
      backend = Engines.choose(spec.config().get(TrtConf.BACKEND), kind).name();
    } catch (EngineException e) {
      backend = "none here (" + e.getMessage() + ")";
    }
    b.append("backend on this host: ").append(backend).append(Engines.gpuProbe().usable() ? "" : " (no GPU: "
        + Engines.gpuProbe().problem() + ")").append('\n');
    b.append("model shipped by ").append(payload.value().bytes() != null ? "broadcast"
        : "URI (larger than " + TrtConf.BROADCAST_MAX_BYTES.key() + ", or with external data files)")
        .append('\n');
    Map<String, String> set = new LinkedHashMap<>(spec.config().explicit(dev.trtspark.conf.ConfigRegistry.all()));
    b.append("options set: ").append(set.isEmpty() ? "none (all defaults)" : set.toString()).append('\n');
    return b.toString();
  }

  /** Collects the model, bindings and options of an inference. Not thread-safe. */
  public static final class Builder {
    private String model;
    private final List<TensorBinding> inputs = new ArrayList<>();
    private final List<TensorBinding> outputs = new ArrayList<>();
    private final Map<String, String> options = new LinkedHashMap<>();
    private SparkSession spark;

    private Builder() {}

    /** A TensorRT plan or ONNX model: a Hadoop FileSystem URI or a local path. Defaults to spark.trt.model. */
    public Builder model(String uri) {
      this.model = uri;
      return this;
    }

    /** Feeds model input {@code tensor} from column {@code column}. */
    public Builder input(String tensor, String column) {
      inputs.add(new TensorBinding(tensor, column));
      return this;
    }

    /** Writes model output {@code tensor} to a new column {@code column}; without any, every output by its name. */
    public Builder output(String tensor, String column) {
      outputs.add(new TensorBinding(tensor, column));
      return this;
    }

    /** An explicit option (wins over the session's); full ({@code spark.trt.batchSize}) or short key. */
    public Builder option(String key, String value) {
      options.put(key, value);
      return this;
    }

    /**
     * An option written {@code key=value} (as on a command line or in a Param).
     *
     * @throws IllegalArgumentException when there is no '='
     */
    public Builder option(String keyEqualsValue) {
      int eq = keyEqualsValue.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("option '" + keyEqualsValue + "' is not key=value");
      }
      return option(keyEqualsValue.substring(0, eq).trim(), keyEqualsValue.substring(eq + 1).trim());
    }

    public Builder batchSize(int rows) {
      return option(TrtConf.BATCH_SIZE.key(), Integer.toString(rows));
    }

    /** {@code auto}, {@code tensorrt} or {@code onnxruntime}. */
    public Builder backend(String backend) {
      return option(TrtConf.BACKEND.key(), backend);
    }

    /** Whether the result keeps the columns bound to model inputs (default: they are dropped). */
    public Builder keepBoundColumns(boolean keep) {
      return option(TrtConf.KEEP_BOUND_COLUMNS.key(), Boolean.toString(keep));
    }

    /** The session whose conf and context to use; defaults to the active one. */
    public Builder session(SparkSession session) {
      this.spark = session;
      return this;
    }

    /**
     * Resolves options, reads the model (once, on the driver), checks the bindings against its tensors
     * and broadcasts it when small enough.
     *
     * @throws ConfigException or EngineException with what to fix
     */
    public TrtInference build() {
      SparkSession s = spark != null ? spark : SparkSession.active();
      Map<String, String> session = scala.jdk.javaapi.CollectionConverters.asJava(s.conf().getAll());
      ResolvedConfig config = ConfigResolver.resolve(options, session);
      String uri = model != null ? model : config.getOptional(TrtConf.MODEL).orElseThrow(() -> new ConfigException(
          "no model: call model(\"...\") or set " + TrtConf.MODEL.key()));
      ModelArtifact artifact = ArtifactLoader.load(uri, s.sparkContext().hadoopConfiguration());
      ModelSignature signature = signature(s, uri, artifact, config);
      List<TensorBinding> outs = new ArrayList<>(outputs);
      if (outs.isEmpty()) {
        signature.outputs().forEach(t -> outs.add(new TensorBinding(t.name(), t.name())));
      }
      for (TensorBinding b : outs) {
        signature.require(b.tensor(), false);
      }
      InferenceSpec.Builder sb = InferenceSpec.builder().model(new ModelRef(uri, artifact.sha256(), artifact.size()))
          .config(config);
      inputs.forEach(b -> sb.input(b.tensor(), b.column()));
      if (inputs.isEmpty()) {
        // every model input from the column of its name, in the model's order
        signature.inputs().forEach(t -> sb.input(t.name(), t.name()));
      }
      outs.forEach(b -> sb.output(b.tensor(), b.column()));
      InferenceSpec spec = sb.build();
      signature.checkInputNames(spec.inputs().stream().map(TensorBinding::tensor).toList());
      // a model with external data files is read by the executors from its URI, with its files
      boolean ship = artifact.size() <= config.get(TrtConf.BROADCAST_MAX_BYTES) && artifact.externalDataFiles().isEmpty();
      ModelPayload p = new ModelPayload(ship ? artifact.bytes() : null,
          ship ? artifact.sidecar().map(m -> m.toJson()).orElse(null) : null,
          new org.apache.spark.util.SerializableConfiguration(s.sparkContext().hadoopConfiguration()));
      Broadcast<ModelPayload> payload = s.sparkContext().broadcast(p, ClassTag$.MODULE$.apply(ModelPayload.class));
      String name = "trt " + uri.substring(uri.lastIndexOf('/') + 1);
      return new TrtInference(s, spec, signature, artifact.kind(), payload, new InferenceMetrics(s.sparkContext(), name));
    }

    /**
     * The model's signature on the driver; for a plan without sidecar on a driver without a GPU (a plan from
     * {@code trtexec --saveEngine}), read on an executor, whose GPU opens the plan with TensorRT's own checks.
     */
    private static ModelSignature signature(SparkSession s, String uri, ModelArtifact artifact, ResolvedConfig config) {
      if (artifact.kind() != ModelKind.TENSORRT_PLAN || artifact.sidecar().isPresent() || Engines.gpuProbe().usable()) {
        return Engines.signature(artifact, config);
      }
      try {
        String json = org.apache.spark.api.java.JavaSparkContext.fromSparkContext(s.sparkContext())
            .parallelize(List.of(0), 1)
            .map(i -> Engines.describePlanHere(ArtifactLoader.load(uri), config))
            .collect().get(0);
        dev.trtspark.engine.model.PlanMetadata m = dev.trtspark.engine.model.PlanMetadata.parse(json,
            uri + " (read on an executor)");
        return Engines.signatureOf(uri, m.tensors());
      } catch (Exception e) {  // a SparkException (checked, thrown through Scala) or ours
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root && !(root instanceof EngineException)) {
          root = root.getCause();
        }
        throw new EngineException("plan " + uri + " has no sidecar (" + uri + ".json), this driver has no GPU ("
            + Engines.gpuProbe().problem() + "), and reading its inputs and outputs on an executor failed: "
            + root.getMessage() + ". Run on executors with a GPU, or rebuild the plan with trt-spark build, which "
            + "writes the sidecar", e);
      }
    }
  }
}
