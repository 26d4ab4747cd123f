package dev.trtspark.conf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InferenceSpecTest {
  private static final String SHA = "ab".repeat(32);
  private static final ModelRef MODEL = new ModelRef("hdfs:///m/digits.onnx", SHA, 1234);

  @Test
  void survivesJavaSerializationUnchanged() throws Exception {
    InferenceSpec spec = InferenceSpec.builder().model(MODEL)
        .input("features", "pixels").output("probs", "scores")
        .config(ConfigResolver.resolve(Map.of("batchSize", "64", "build.maxShapes", "x:8x3"), Map.of()))
        .build();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(spec);
    }
    InferenceSpec back;
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      back = (InferenceSpec) in.readObject();
    }
    assertNotSame(spec, back);
    assertEquals(spec, back);
    assertEquals(64, back.config().get(TrtConf.BATCH_SIZE));
    assertEquals(List.of(new TensorBinding("features", "pixels")), back.inputs());
  }

  @Test
  void outputColumnBoundTwiceIsRefused() {
    ConfigException e = assertThrows(ConfigException.class, () -> InferenceSpec.builder().model(MODEL)
        .input("a", "x").output("sum", "out").output("prod", "out").build());
    assertTrue(e.getMessage().startsWith("output column 'out' is bound twice"), e.getMessage());
  }

  @Test
  void missingOutputsAreRefusedWithTheModelName() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> InferenceSpec.builder().model(MODEL).input("a", "x").build());
    assertEquals("model hdfs:///m/digits.onnx: bind at least one output (tensor -> column)", e.getMessage());
  }

  @Test
  void expectedSha256MustMatchTheModel() {
    ConfigException e = assertThrows(ConfigException.class, () -> InferenceSpec.builder().model(MODEL)
        .input("a", "x").output("b", "y")
        .config(ConfigResolver.resolve(Map.of("model.sha256", "cd".repeat(32)), Map.of())).build());
    assertTrue(e.getMessage().contains("but the model at hdfs:///m/digits.onnx has sha256 " + SHA), e.getMessage());
  }

  @Test
  void bindingParsesTensorEqualsColumn() {
    assertEquals(new TensorBinding("x", "features"), TensorBinding.parse("x=features"));
    assertEquals(new TensorBinding("x", "x"), TensorBinding.parse("x"));
    assertThrows(ConfigException.class, () -> TensorBinding.parse("=features"));
  }

  @Test
  void modelRefRejectsABadSha() {
    ConfigException e = assertThrows(ConfigException.class, () -> new ModelRef("m.onnx", "xyz", 1));
    assertEquals("model m.onnx: sha256 must be 64 hex digits, got 'xyz'", e.getMessage());
  }
}
