package dev.trtspark.spark.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.trtspark.engine.tensor.DType;
import dev.trtspark.engine.tensor.TensorInfo;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.Test;

/**
 * A {@code binary} column of raw bytes read as the tensor's own type, from arrow-io's conversion table:
 * the element each tensor type's bytes are copied as, the Arrow column they become, and bfloat16 (which
 * Arrow has no type for) refused by name.
 */
class InputSourceTest {
  private static final InputSource RAW = new InputSource("x", "raw", List.of("raw"), List.of(DataTypes.BinaryType));

  private static TensorInfo tensor(DType t) {
    return TensorInfo.output("x", t, new long[] {-1, 4});
  }

  @Test
  void eachTensorTypeWithAnArrowTypeIsReadFromRawBytesAsItsOwnWidth() {
    Map<DType, SparkElement> expected = Map.of(DType.FLOAT32, SparkElement.FLOAT, DType.FLOAT16, SparkElement.SHORT,
        DType.INT8, SparkElement.BYTE, DType.UINT8, SparkElement.BYTE, DType.INT32, SparkElement.INT, DType.INT64,
        SparkElement.LONG, DType.BOOL, SparkElement.BOOLEAN);
    expected.forEach((type, element) -> {
      assertEquals(element, RAW.element(tensor(type)), type.name());
      assertEquals(type == DType.BOOL ? 1 : type.bytes(), RAW.element(tensor(type)).bytes, type.name());
    });
    ArrowType half = RAW.arrowField(tensor(DType.FLOAT16)).getChildren().get(0).getType();
    assertEquals(new ArrowType.FloatingPoint(FloatingPointPrecision.HALF), half, "half floats stay half floats");
    ArrowType u8 = RAW.arrowField(tensor(DType.UINT8)).getChildren().get(0).getType();
    assertEquals(new ArrowType.Int(8, false), u8, "uint8 bytes stay unsigned");
  }

  @Test
  void bfloat16IsRefusedWithTheTypesRawBytesCanCarry() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RAW.element(tensor(DType.BFLOAT16)));
    assertTrue(e.getMessage().contains("column 'raw' (binary) cannot feed tensor 'x' (bfloat16 [-1x4]): binary columns "
        + "carry the raw bytes of float32, float16, int8, uint8, int32, int64, bool tensors; give bfloat16 values as an "
        + "array of float or double"), e.getMessage());
  }
}
