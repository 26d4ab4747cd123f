package dev.trtspark.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.trtspark.engine.cache.EngineCache;
import dev.trtspark.testing.TestModels;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkException;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inputs of every Spark shape users have: binary columns of raw bytes (uint8 HWC pixels into a model
 * that normalizes in its graph, raw float32), signed bytes into int8, Spark ML vectors (dense and
 * sparse), several scalar columns into one tensor, nested arrays into multi-dimensional tensors; each
 * from Parquet (the columnar path) and from rows, with its bad rows.
 */
class InputShapesTest {
  private final SparkSession spark = SparkTestSession.get();

  @TempDir
  Path tmp;

  @BeforeEach
  void freshCache() {
    EngineCache.resetForTests();
  }

  /** Both paths: rows built by Spark (a SQL plan), and the same rows read back from Parquet (columnar). */
  private List<Dataset<Row>> bothPaths(Dataset<Row> df, String name) {
    String at = tmp.resolve(name).toString();
    df.write().parquet(at);
    Dataset<Row> parquet = spark.read().parquet(at);
    assertTrue(TrtInference.readsColumnar(parquet), "the Parquet scan is read as columnar batches");
    return List.of(df, parquet);
  }

  /** Collected, then sorted here: an orderBy would run the inference twice (its sampling job), and count twice. */
  private static List<Row> sorted(Dataset<Row> df) {
    List<Row> rows = new ArrayList<>(df.collectAsList());
    rows.sort(java.util.Comparator.comparingLong(r -> r.getLong(0)));
    return rows;
  }

  /** Pixel value of image {@code id} at (h, w, c), uint8. */
  private static int pixel(long id, int h, int w, int c) {
    return (int) ((id * 31 + h * 17 + w * 7 + c * 101) % 256);
  }

  @Test
  void uint8PixelsAsBinaryRunThroughAModelThatNormalizesThem() {
    List<Row> rows = new ArrayList<>();
    for (long id = 0; id < 50; id++) {
      byte[] img = new byte[8 * 8 * 3];
      for (int h = 0; h < 8; h++) {
        for (int w = 0; w < 8; w++) {
          for (int c = 0; c < 3; c++) {
            img[(h * 8 + w) * 3 + c] = (byte) pixel(id, h, w, c);
          }
        }
      }
      rows.add(RowFactory.create(id, img));
    }
    StructType schema = new StructType().add("id", DataTypes.LongType).add("image", DataTypes.BinaryType);
    Dataset<Row> df = spark.createDataFrame(rows, schema).repartition(3);
    float[] mean = {0.485f, 0.456f, 0.406f};
    float[] std = {0.229f, 0.224f, 0.225f};
    for (Dataset<Row> in : bothPaths(df, "images")) {
      TrtInference inference = TrtInference.builder().model(TestModels.path("image_u8_norm.onnx").toString())
          .input("pixels", "image").output("means", "means").batchSize(16).build();
      List<Row> out = sorted(inference.transform(in));
      assertEquals(50, out.size());
      for (Row r : out) {
        long id = r.getLong(0);
        List<Float> m = r.getList(1);
        for (int c = 0; c < 3; c++) {
          double sum = 0;
          for (int h = 0; h < 8; h++) {
            for (int w = 0; w < 8; w++) {
              sum += ((float) pixel(id, h, w, c) * (1f / 255f) - mean[c]) / std[c];
            }
          }
          assertEquals(sum / 64, m.get(c), 1e-5, "image " + id + " channel " + c);
        }
      }
    }
  }

  private static byte[] floats(float... v) {
    ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float f : v) {
      b.putFloat(f);
    }
    return b.array();
  }

  @Test
  void rawFloat32BytesFeedAFloatTensorAndAPartialValueIsABadRow() {
    List<Row> rows = new ArrayList<>();
    for (long id = 0; id < 40; id++) {
      byte[] v = floats(id, id + 1, -id, 0.5f);
      rows.add(RowFactory.create(id, id == 7 ? java.util.Arrays.copyOf(v, 15) : id == 9 ? null : v));
    }
    Dataset<Row> df = spark.createDataFrame(rows, new StructType().add("id", DataTypes.LongType)
        .add("raw", DataTypes.BinaryType));
    for (Dataset<Row> in : bothPaths(df, "raw")) {
      TrtInference lenient = TrtInference.builder().model(TestModels.path("affine_f32.onnx").toString()).input("x", "raw")
          .output("y", "y").option("badRowPolicy", "null").batchSize(16).build();
      List<Row> out = sorted(lenient.transform(in));
      for (Row r : out) {
        long id = r.getLong(0);
        if (id == 7 || id == 9) {
          assertTrue(r.isNullAt(1), "row " + id);
        } else {
          assertEquals(List.of(2f * id + 1, 2f * (id + 1) + 1, -2f * id + 1, 2f), r.getList(1), "row " + id);
        }
      }
      assertEquals(2, lenient.metrics().badRows());
      assertEquals(java.util.Map.of(dev.trtspark.arrow.binding.BadRows.Reason.WRONG_LENGTH, 1L,
          dev.trtspark.arrow.binding.BadRows.Reason.NULL_ROW, 1L), lenient.metrics().badRowsByReason());
      TrtInference strict = TrtInference.builder().model(TestModels.path("affine_f32.onnx").toString()).input("x", "raw")
          .output("y", "y").batchSize(16).build();
      SparkException e = assertThrows(SparkException.class, () -> strict.transform(in.filter("id <> 9")).collect());
      assertTrue(e.getMessage().contains("column 'raw' row 7 of batch 0 (partition row 7) has 15 bytes, not a whole number "
          + "of float32 values (4 bytes each)"), e.getMessage());
    }
  }

  @Test
  void rawFloat16BytesFeedAHalfTensorAndTheSparkTypesThatFeedTensorsConvertLeast() {
    // half floats as their own bits: 1.5, -2, 0.25, 1000 (0x3e00, 0xc000, 0x3400, 0x63d0), little-endian
    ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    for (int h : new int[] {0x3e00, 0xc000, 0x3400, 0x63d0}) {
      b.putShort((short) h);
    }
    List<Row> rows = List.of(RowFactory.create(0L, b.array()), RowFactory.create(1L, java.util.Arrays.copyOf(b.array(), 7)));
    Dataset<Row> df = spark.createDataFrame(rows, new StructType().add("id", DataTypes.LongType)
        .add("raw", DataTypes.BinaryType));
    for (Dataset<Row> in : bothPaths(df, "half")) {
      List<Row> out = sorted(TrtInference.builder().model(TestModels.path("scale_f16.onnx").toString()).input("x", "raw")
          .output("y", "y").option("badRowPolicy", "null").build().transform(in));
      assertEquals(List.of(3f, -4f, 0.5f, 2000f), out.get(0).getList(1));
      assertTrue(out.get(1).isNullAt(1), "7 bytes are not a whole number of float16 values");
    }
    assertEquals(null, TrtInference.sparkTypeFeeding(dev.trtspark.engine.tensor.DType.UINT8), "uint8 comes as raw bytes");
    assertEquals(DataTypes.FloatType, TrtInference.sparkTypeFeeding(dev.trtspark.engine.tensor.DType.BFLOAT16));
    assertEquals(DataTypes.ByteType, TrtInference.sparkTypeFeeding(dev.trtspark.engine.tensor.DType.INT8));
    assertEquals(DataTypes.BooleanType, TrtInference.sparkTypeFeeding(dev.trtspark.engine.tensor.DType.BOOL));
    assertEquals(DataTypes.LongType, TrtInference.sparkTypeFeeding(dev.trtspark.engine.tensor.DType.INT64));
  }

  @Test
  void dictionaryEncodedBinaryValuesFromParquetAreReadRight() {
    // three distinct values over 3,000 rows: Parquet stores them with a dictionary, which Spark decodes lazily
    List<Row> rows = new ArrayList<>();
    for (long id = 0; id < 3000; id++) {
      long k = id % 3;
      rows.add(RowFactory.create(id, floats(k, k + 1, -k, 0.5f)));
    }
    Dataset<Row> df = spark.createDataFrame(rows, new StructType().add("id", DataTypes.LongType)
        .add("raw", DataTypes.BinaryType)).coalesce(1);
    for (Dataset<Row> in : bothPaths(df, "dictionary")) {
      List<Row> out = sorted(TrtInference.builder().model(TestModels.path("affine_f32.onnx").toString()).input("x", "raw")
          .output("y", "y").batchSize(256).build().transform(in));
      assertEquals(3000, out.size());
      for (Row r : out) {
        long k = r.getLong(0) % 3;
        assertEquals(List.of(2f * k + 1, 2f * (k + 1) + 1, -2f * k + 1, 2f), r.getList(1), "row " + r.getLong(0));
      }
    }
  }

  @Test
  void aModelWithExternalDataRunsThroughSpark() {
    // not broadcast (its data file would be missing): the executors read the model and its data from the URI
    Dataset<Row> df = spark.sql("SELECT id, array(CAST(id AS FLOAT), 1F, 2F, 3F) AS x FROM range(0, 10, 1, 2)");
    List<Row> out = sorted(TrtInference.builder().model(TestModels.path("affine_external.onnx").toString()).input("x", "x")
        .output("y", "y").build().transform(df));
    assertEquals(10, out.size());
    for (Row r : out) {
      long id = r.getLong(0);
      assertEquals(List.of(2f * id + 1, 3f, 5f, 7f), r.getList(1), "row " + id);
    }
  }

  @Test
  void signedBytesFeedAnInt8Tensor() {
    Dataset<Row> df = spark.sql("SELECT id, transform(sequence(0, 3), j -> CAST(id * 10 - 120 + j AS TINYINT)) AS x "
        + "FROM range(0, 25, 1, 2)");
    for (Dataset<Row> in : bothPaths(df, "bytes")) {
      TrtInference neg = TrtInference.builder().model(TestModels.path("neg_i8.onnx").toString()).input("x", "x")
          .output("y", "y").build();
      List<Row> out = sorted(neg.transform(in));
      assertEquals("array<tinyint>", neg.transformSchema(in.schema()).apply("y").dataType().simpleString());
      for (Row r : out) {
        long id = r.getLong(0);
        List<Byte> y = r.getList(1);
        for (int j = 0; j < 4; j++) {
          assertEquals((byte) -(byte) (id * 10 - 120 + j), y.get(j), "row " + id);
        }
      }
    }
  }

  @Test
  void sparkMlVectorsDenseAndSparseFeedATensor() {
    List<Row> rows = new ArrayList<>();
    for (long id = 0; id < 30; id++) {
      rows.add(RowFactory.create(id, id % 2 == 0 ? Vectors.dense(id, id + 1, -id, 0.5)
          : Vectors.sparse(4, new int[] {0, 3}, new double[] {id, 0.5})));
    }
    Dataset<Row> df = spark.createDataFrame(rows, new StructType().add("id", DataTypes.LongType)
        .add("v", SQLDataTypes.VectorType()));
    for (Dataset<Row> in : bothPaths(df, "vectors")) {
      List<Row> out = sorted(TrtInference.builder().model(TestModels.path("affine_f32.onnx").toString()).input("x", "v")
          .output("y", "y").batchSize(8).build().transform(in));
      for (Row r : out) {
        long id = r.getLong(0);
        List<Float> expected = id % 2 == 0 ? List.of(2f * id + 1, 2f * (id + 1) + 1, -2f * id + 1, 2f)
            : List.of(2f * id + 1, 1f, 1f, 2f);
        assertEquals(expected, r.getList(1), "row " + id);
      }
    }
  }

  @Test
  void severalScalarColumnsFeedOneTensor() {
    Dataset<Row> df = spark.sql("SELECT id, CAST(id AS FLOAT) AS f0, id + 1 AS f1, CAST(-id AS DOUBLE) AS f2, "
        + "IF(id = 5, NULL, 0.5F) AS f3, 'text' AS label FROM range(0, 20, 1, 2)");
    for (Dataset<Row> in : bothPaths(df, "wide")) {
      for (String columns : new String[] {"f0,f1,f2,f3", "f*"}) {
        TrtInference inference = TrtInference.builder().model(TestModels.path("affine_f32.onnx").toString())
            .input("x", columns).output("y", "y").option("badRowPolicy", "null").build();
        assertEquals("struct<id:bigint,label:string,y:array<float>>",
            inference.transformSchema(in.schema()).simpleString(), "the bound columns are dropped");
        List<Row> out = sorted(inference.transform(in));
        for (Row r : out) {
          long id = r.getLong(0);
          if (id == 5) {
            assertTrue(r.isNullAt(2), "a null value is a null element: a bad row");
          } else {
            assertEquals(List.of(2f * id + 1, 2f * (id + 1) + 1, -2f * id + 1, 2f), r.getList(2), columns + " row " + id);
          }
        }
        assertEquals(java.util.Map.of(dev.trtspark.arrow.binding.BadRows.Reason.NULL_ELEMENT, 1L),
            inference.metrics().badRowsByReason());
      }
    }
    IllegalArgumentException text = assertThrows(IllegalArgumentException.class, () -> TrtInference.builder()
        .model(TestModels.path("affine_f32.onnx").toString()).input("x", "f0,label").build().transform(df));
    assertTrue(text.getMessage().startsWith("columns [f0, label] cannot feed tensor 'x' (float32 [-1x4]): column 'label' "
        + "is string"), text.getMessage());
    IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> TrtInference.builder()
        .model(TestModels.path("affine_f32.onnx").toString()).input("x", "g*").build().transform(df));
    assertTrue(none.getMessage().startsWith("no input column matches 'g*' (for tensor 'x')"), none.getMessage());
  }

  @Test
  void nestedArraysFeedMultiDimensionalTensorsAndRaggedOnesAreBadRows() {
    // image_mean: x [batch, 3, 8, 8] -> y [batch, 3], the mean of each 8x8 plane
    Dataset<Row> df = spark.sql("SELECT id, transform(sequence(0, 2), c -> transform(sequence(0, 7), "
        + "h -> transform(sequence(0, IF(id = 4 AND c = 1 AND h = 3, 6, 7)), w -> CAST(c * 100 + h * 8 + w + id AS FLOAT)))) "
        + "AS planes, IF(id = 6, array(array(array(1F))), NULL) AS tiny FROM range(0, 12, 1, 2)");
    for (Dataset<Row> in : bothPaths(df, "nested")) {
      TrtInference inference = TrtInference.builder().model(TestModels.path("image_mean.onnx").toString())
          .input("x", "planes").output("y", "y").option("badRowPolicy", "null").build();
      List<Row> out = sorted(inference.transform(in));
      for (Row r : out) {
        long id = r.getLong(0);
        if (id == 4) {
          assertTrue(r.isNullAt(r.fieldIndex("y")), "a ragged image is a bad row");
          continue;
        }
        List<Float> y = r.getList(r.fieldIndex("y"));
        for (int c = 0; c < 3; c++) {
          assertEquals(c * 100 + 31.5 + id, y.get(c), 1e-4, "row " + id + " plane " + c);
        }
      }
      assertEquals(java.util.Map.of(dev.trtspark.arrow.binding.BadRows.Reason.RAGGED, 1L),
          inference.metrics().badRowsByReason());
      TrtInference strict = TrtInference.builder().model(TestModels.path("image_mean.onnx").toString())
          .input("x", "planes").output("y", "y").build();
      SparkException e = assertThrows(SparkException.class, () -> strict.transform(in).collect());
      assertTrue(e.getMessage().contains("column 'planes' row ") && e.getMessage().contains("is ragged: an array of 7 "
          + "values at depth 3, where the first one there has 8"), e.getMessage());
      TrtInference small = TrtInference.builder().model(TestModels.path("image_mean.onnx").toString())
          .input("x", "tiny").output("y", "y").option("badRowPolicy", "null").build();
      small.transform(in).collect();
      assertEquals(java.util.Map.of(dev.trtspark.arrow.binding.BadRows.Reason.WRONG_LENGTH, 1L,
          dev.trtspark.arrow.binding.BadRows.Reason.NULL_ROW, 11L), small.metrics().badRowsByReason());
    }
    IllegalArgumentException depth = assertThrows(IllegalArgumentException.class, () -> TrtInference.builder()
        .model(TestModels.path("image_mean.onnx").toString()).input("x", "two").build()
        .transform(spark.sql("SELECT array(array(1F)) AS two")));
    assertTrue(depth.getMessage().startsWith("column 'two' (array<array<float>>) cannot feed tensor 'x' (float32 "
        + "[-1x3x8x8]): it has 2 levels of arrays, and the tensor [-1x3x8x8] takes 3"), depth.getMessage());
  }
}
