package dev.trtspark.conf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigOptionTest {

  @Test
  void invalidIntNamesKeyValueAndAllowedRange() {
    ConfigException e = assertThrows(ConfigException.class, () -> TrtConf.BATCH_SIZE.parse("0"));
    assertEquals("invalid value '0' for spark.trt.batchSize: expected int (1 to 16777216)", e.getMessage());
  }

  @Test
  void nonNumberIntSaysWhatWasExpected() {
    ConfigException e = assertThrows(ConfigException.class, () -> TrtConf.BATCH_SIZE.parse("lots"));
    assertTrue(e.getMessage().startsWith("invalid value 'lots' for spark.trt.batchSize: expected int"), e.getMessage());
  }

  @Test
  void enumAcceptsAnyCaseAndListsChoicesOnError() {
    assertEquals(Backend.ONNXRUNTIME, TrtConf.BACKEND.parse("OnnxRuntime"));
    ConfigException e = assertThrows(ConfigException.class, () -> TrtConf.BACKEND.parse("cuda"));
    assertTrue(e.getMessage().contains("expected auto | tensorrt | onnxruntime"), e.getMessage());
  }

  @Test
  void bytesAcceptBinarySuffixesAndFormatShortest() {
    assertEquals(512L << 20, TrtConf.ENGINE_CACHE_MAX_BYTES.parse("512m"));
    assertEquals(4L << 30, TrtConf.ENGINE_CACHE_MAX_BYTES.parse("4GB"));
    assertEquals(1000L, TrtConf.ENGINE_CACHE_MAX_BYTES.parse("1000"));
    assertEquals("8g", TrtConf.ENGINE_CACHE_MAX_BYTES.defaultText());
    assertEquals("1000", ByteSize.format(1000));
    assertThrows(ConfigException.class, () -> TrtConf.ENGINE_CACHE_MAX_BYTES.parse("0"));
    assertThrows(ConfigException.class, () -> TrtConf.ENGINE_CACHE_MAX_BYTES.parse("-1g"));
  }

  @Test
  void precisionListRejectsDuplicatesAndUnknownNames() {
    assertEquals(List.of(Precision.FP16, Precision.FP32), BuildConf.PRECISION.parse("fp16, fp32"));
    ConfigException dup = assertThrows(ConfigException.class, () -> BuildConf.PRECISION.parse("fp16,fp16"));
    assertTrue(dup.getMessage().contains("fp16 given twice"), dup.getMessage());
    ConfigException bad = assertThrows(ConfigException.class, () -> BuildConf.PRECISION.parse("fp4"));
    assertTrue(bad.getMessage().contains("'fp4' is not one of fp32 | tf32 | fp16 | bf16 | fp8 | int8"), bad.getMessage());
  }

  @Test
  void shapeSpecParsesTrtexecStyleAndRoundTrips() {
    ShapeSpec s = BuildConf.MAX_SHAPES.parse("input:1024x3x224x224,mask:1024x128");
    assertArrayEquals(new long[] {1024, 3, 224, 224}, s.shape("input"));
    assertArrayEquals(new long[] {1024, 128}, s.shape("mask"));
    assertEquals("input:1024x3x224x224,mask:1024x128", s.toString());
  }

  @Test
  void shapeSpecNamesTheBadDimension() {
    ConfigException e = assertThrows(ConfigException.class, () -> BuildConf.MAX_SHAPES.parse("input:8x0x3"));
    assertTrue(e.getMessage().contains("dimension 1 of input is 0, must be positive"), e.getMessage());
    ConfigException f = assertThrows(ConfigException.class, () -> BuildConf.MAX_SHAPES.parse("input8x3"));
    assertTrue(f.getMessage().contains("'input8x3' is not name:AxBxC"), f.getMessage());
  }

  @Test
  void deviceIsAutoOrAnOrdinal() {
    assertTrue(TrtConf.DEVICE.parse("AUTO").isAuto());
    assertEquals(3, TrtConf.DEVICE.parse("3").ordinal());
    assertThrows(ConfigException.class, () -> TrtConf.DEVICE.parse("-2"));
  }

  @Test
  void everyDeclaredKeyHasDocumentationAndAValidDefault() {
    for (ConfigOption<?> o : ConfigRegistry.all()) {
      assertTrue(o.key().startsWith("spark.trt."), o.key());
      assertTrue(o.description().length() > 20, "doc of " + o.key());
      o.defaultValue().ifPresent(d -> assertEquals(o.defaultText(), reformat(o, o.defaultText()), o.key()));
    }
  }

  private static <T> String reformat(ConfigOption<T> o, String text) {
    return o.format(o.parse(text));
  }
}
