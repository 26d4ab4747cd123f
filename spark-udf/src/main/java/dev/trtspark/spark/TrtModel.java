package dev.trtspark.spark;

import dev.trtspark.conf.TensorBinding;
import dev.trtspark.engine.model.ArtifactLoader;
import dev.trtspark.engine.model.ModelArtifact;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWriter;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import scala.Option;

/**
 * Inference as a Spark ML {@link Transformer}, usable in a {@code Pipeline} and persistable: the same
 * settings as {@link TrtInference} as {@code Param}s ({@code model}, {@code inputs} as
 * {@code tensor=column,...}, {@code outputs}, {@code options} as {@code key=value;...}). Saved with
 * {@code embedModel=false} it stores the model's location only; with {@code true} it copies the model
 * bytes (and a plan's sidecar) into the saved folder, so the saved pipeline is self-contained.
 */
public final class TrtModel extends Transformer implements MLWritable {
  private static final long serialVersionUID = 1L;
  private final String uid;
  private final Param<String> model;
  private final Param<String> inputs;
  private final Param<String> outputs;
  private final Param<String> options;
  private final BooleanParam embedModel;
  private final Param<String> embeddedFile;
  private transient TrtInference inference;
  private transient String inferenceKey;

  public TrtModel() {
    this(Identifiable.randomUID("trtModel"));
  }

  public TrtModel(String uid) {
    this.uid = uid;
    this.model = new Param<>(this, "model", "TensorRT plan or ONNX model: Hadoop FileSystem URI or local path");
    this.inputs = new Param<>(this, "inputs", "input bindings, tensor=column[,tensor=column...]");
    this.outputs = new Param<>(this, "outputs", "output bindings, tensor=column[,...]; empty: every output by its name");
    this.options = new Param<>(this, "options", "explicit " + dev.trtspark.conf.TrtConf.PREFIX + "* options, key=value[;key=value...]");
    this.embedModel = new BooleanParam(this, "embedModel", "save copies the model bytes into the saved folder");
    this.embeddedFile = new Param<>(this, "embeddedFile", "set by save: file name of the embedded model copy");
    setDefault(outputs, "");
    setDefault(options, "");
    setDefault(embedModel, false);
    setDefault(embeddedFile, "");
  }

  @Override
  public String uid() {
    return uid;
  }

  public Param<String> model() {
    return model;
  }

  public Param<String> inputs() {
    return inputs;
  }

  public Param<String> outputs() {
    return outputs;
  }

  public Param<String> options() {
    return options;
  }

  public BooleanParam embedModel() {
    return embedModel;
  }

  public Param<String> embeddedFile() {
    return embeddedFile;
  }

  public TrtModel setModel(String value) {
    set(model, value);
    return this;
  }

  public TrtModel setInputs(String value) {
    set(inputs, value);
    return this;
  }

  public TrtModel setOutputs(String value) {
    set(outputs, value);
    return this;
  }

  public TrtModel setOptions(String value) {
    set(options, value);
    return this;
  }

  public TrtModel setEmbedModel(boolean value) {
    set(embedModel, value);
    return this;
  }

  /** The inference these params describe, built once per distinct setting. */
  public synchronized TrtInference inference() {
    String key = $(model) + "|" + $(inputs) + "|" + $(outputs) + "|" + $(options);
    if (inference == null || !key.equals(inferenceKey)) {
      TrtInference.Builder b = TrtInference.builder().model($(model));
      bindings($(inputs)).forEach(t -> b.input(t.tensor(), t.column()));
      bindings($(outputs)).forEach(t -> b.output(t.tensor(), t.column()));
      for (String kv : $(options).split(";")) {
        if (!kv.isBlank()) {
          b.option(kv);
        }
      }
      inference = b.build();
      inferenceKey = key;
    }
    return inference;
  }

  private static List<TensorBinding> bindings(String text) {
    List<TensorBinding> out = new ArrayList<>();
    for (String part : text.split(",")) {
      if (!part.isBlank()) {
        out.add(TensorBinding.parse(part));
      }
    }
    return out;
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    return inference().transform(dataset);
  }

  @Override
  public StructType transformSchema(StructType schema) {
    return inference().transformSchema(schema);
  }

  @Override
  public TrtModel copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  @Override
  public MLWriter write() {
    return new Writer(this);
  }

  public static MLReader<TrtModel> read() {
    return new Reader();
  }

  public static TrtModel load(String path) {
    return read().load(path);
  }

  private static final class Writer extends MLWriter {
    private final TrtModel instance;

    Writer(TrtModel instance) {
      this.instance = instance;
    }

    @Override
    public void saveImpl(String path) {
      TrtModel toSave = instance.copy(ParamMap.empty());
      if ((Boolean) instance.getOrDefault(instance.embedModel)) {
        ModelArtifact a = ArtifactLoader.load(instance.$(instance.model), sc().hadoopConfiguration());
        String file = new Path(ArtifactLoader.toPath(a.uri()).getName()).getName();
        try {
          Path dir = new Path(path, "model");
          FileSystem fs = dir.getFileSystem(sc().hadoopConfiguration());
          try (OutputStream out = fs.create(new Path(dir, file), true)) {
            out.write(a.bytes());
          }
          if (a.sidecar().isPresent()) {
            try (OutputStream out = fs.create(new Path(dir, file + ".json"), true)) {
              out.write(a.sidecar().get().toJson().getBytes(StandardCharsets.UTF_8));
            }
          }
        } catch (IOException e) {
          throw new IllegalStateException("cannot embed model " + a.uri() + " into " + path + ": " + e.getMessage(), e);
        }
        toSave.set(toSave.embeddedFile, file);
      }
      DefaultParamsWriter.saveMetadata(toSave, path, sparkSession(), Option.empty(), Option.empty());
    }
  }

  private static final class Reader extends MLReader<TrtModel> {
    @Override
    public TrtModel load(String path) {
      DefaultParamsReader.Metadata metadata = DefaultParamsReader.loadMetadata(path, sparkSession(), TrtModel.class.getName());
      TrtModel m = new TrtModel(metadata.uid());
      metadata.getAndSetParams(m, Option.empty());
      String file = m.$(m.embeddedFile);
      if (!file.isEmpty()) {
        m.set(m.model, new Path(new Path(path, "model"), file).toString());
      }
      return m;
    }
  }

}
