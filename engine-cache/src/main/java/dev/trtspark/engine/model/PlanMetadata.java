package dev.trtspark.engine.model;

import dev.trtspark.conf.BuildFlags;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.trtspark.engine.EngineException;
import java.util.List;
import java.util.Map;

/**
 * The sidecar our plan builder writes beside every plan ({@code <plan>.json}): which TensorRT and GPU
 * built it, its IO tensors with profiles, the builder options and the source ONNX. Checked against
 * the running TensorRT and device before a plan is deserialized, see {@link PlanCompatibility}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PlanMetadata(
    int format,
    String tensorrtVersion,
    String gpuName,
    String computeCapability,
    String planSha256,
    String sourceOnnx,
    String sourceOnnxSha256,
    Map<String, String> builderOptions,
    List<Tensor> tensors) {

  public static final int FORMAT = 1;
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /** One IO tensor as the builder saw it; profile arrays are empty for outputs. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Tensor(String name, String mode, String dtype, long[] shape, long[] min, long[] opt, long[] max) {}

  public String toJson() {
    try {
      return JSON.writeValueAsString(this) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** @throws EngineException naming the file when the JSON is not a sidecar */
  public static PlanMetadata parse(String json, String where) {
    try {
      PlanMetadata m = JSON.readValue(json, PlanMetadata.class);
      if (m.tensorrtVersion() == null || m.computeCapability() == null) {
        throw new EngineException("plan sidecar " + where + " lacks tensorrtVersion or computeCapability; "
            + "remove it to load the plan with TensorRT's own checks, or rebuild with " + BuildFlags.COMMAND);
      }
      return m;
    } catch (JsonProcessingException e) {
      throw new EngineException("plan sidecar " + where + " is not valid JSON: " + e.getOriginalMessage(), e);
    }
  }
}
