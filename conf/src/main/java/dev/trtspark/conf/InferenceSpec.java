package dev.trtspark.conf;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Everything an executor needs to run one inference, resolved on the driver: the model (URI +
 * sha256), input bindings (tensor &lt;- column), output bindings (tensor -&gt; column) and the
 * resolved options. Immutable and {@link Serializable}; executors only ever receive this, never
 * the raw configuration.
 */
public final class InferenceSpec implements Serializable {
  private static final long serialVersionUID = 1L;

  private final ModelRef model;
  private final List<TensorBinding> inputs;
  private final List<TensorBinding> outputs;
  private final ResolvedConfig config;

  private InferenceSpec(ModelRef model, List<TensorBinding> inputs, List<TensorBinding> outputs, ResolvedConfig config) {
    this.model = model;
    this.inputs = List.copyOf(inputs);
    this.outputs = List.copyOf(outputs);
    this.config = config;
  }

  public static Builder builder() {
    return new Builder();
  }

  public ModelRef model() {
    return model;
  }

  /** Input bindings in the order given. */
  public List<TensorBinding> inputs() {
    return inputs;
  }

  /** Output bindings in the order their columns are appended. */
  public List<TensorBinding> outputs() {
    return outputs;
  }

  public ResolvedConfig config() {
    return config;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof InferenceSpec)) {
      return false;
    }
    InferenceSpec s = (InferenceSpec) o;
    return model.equals(s.model) && inputs.equals(s.inputs) && outputs.equals(s.outputs) && config.equals(s.config);
  }

  @Override
  public int hashCode() {
    return Objects.hash(model, inputs, outputs, config);
  }

  @Override
  public String toString() {
    return "InferenceSpec{model=" + model.uri() + " (sha256 " + model.sha256().substring(0, 12) + "...), inputs="
        + inputs + ", outputs=" + outputs + ", config=" + config + "}";
  }

  /** Collects the parts of a spec; {@link #build()} checks them together. Not thread-safe. */
  public static final class Builder {
    private ModelRef model;
    private final List<TensorBinding> inputs = new ArrayList<>();
    private final List<TensorBinding> outputs = new ArrayList<>();
    private ResolvedConfig config;

    private Builder() {}

    public Builder model(ModelRef model) {
      this.model = model;
      return this;
    }

    /** Binds model input {@code tensor} to table column {@code column}. */
    public Builder input(String tensor, String column) {
      inputs.add(new TensorBinding(tensor, column));
      return this;
    }

    /** Writes model output {@code tensor} to a new table column {@code column}. */
    public Builder output(String tensor, String column) {
      outputs.add(new TensorBinding(tensor, column));
      return this;
    }

    public Builder config(ResolvedConfig config) {
      this.config = config;
      return this;
    }

    /**
     * @throws ConfigException when the model or a binding is missing, a tensor or an output column
     *     is bound twice, or the model's sha256 differs from {@code spark.trt.model.sha256}
     */
    public InferenceSpec build() {
      if (model == null) {
        throw new ConfigException("no model: set " + TrtConf.MODEL.key() + " or call model(...)");
      }
      ResolvedConfig c = config == null ? ResolvedConfig.defaults() : config;
      if (inputs.isEmpty()) {
        throw new ConfigException("model " + model.uri() + ": bind at least one input (tensor <- column)");
      }
      if (outputs.isEmpty()) {
        throw new ConfigException("model " + model.uri() + ": bind at least one output (tensor -> column)");
      }
      unique(inputs, true, "input tensor");
      unique(outputs, true, "output tensor");
      unique(outputs, false, "output column");
      c.getOptional(TrtConf.MODEL_SHA256).ifPresent(expected -> {
        if (!expected.equalsIgnoreCase(model.sha256())) {
          throw new ConfigException(TrtConf.MODEL_SHA256.key() + " is " + expected + " but the model at " + model.uri()
              + " has sha256 " + model.sha256() + "; the file changed or the key points to another model");
        }
      });
      return new InferenceSpec(model, inputs, outputs, c);
    }

    private static void unique(List<TensorBinding> bindings, boolean byTensor, String what) {
      Set<String> seen = new HashSet<>();
      for (TensorBinding b : bindings) {
        String name = byTensor ? b.tensor() : b.column();
        if (!seen.add(name)) {
          throw new ConfigException(what + " '" + name + "' is bound twice: " + bindings);
        }
      }
    }
  }
}
