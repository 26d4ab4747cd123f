package dev.trtspark.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class DigitsTest {
  private final Digits digits = Digits.load();

  @Test
  void holdsEveryImageOnceInIdOrderWithItsLabelAndSplit() {
    assertEquals(1797, digits.rows());
    assertArrayEquals(LongStream.range(0, 1797).toArray(), digits.ids());
    assertEquals(0, Arrays.stream(digits.labels()).min().getAsInt());
    assertEquals(9, Arrays.stream(digits.labels()).max().getAsInt());
    assertEquals(450, Arrays.stream(digits.splits()).filter("test"::equals).count());
    assertEquals(1347, Arrays.stream(digits.splits()).filter("train"::equals).count());
  }

  @Test
  void theFirstImageIsTheZeroOfTheCsv() {
    assertEquals(0, digits.labels()[0]);
    assertEquals(64, digits.features()[0].length);
    assertEquals(List.of(0f, 0f, 5f, 13f, 9f, 1f, 0f, 0f), asList(Arrays.copyOf(digits.features()[0], 8)));
  }

  @Test
  void flatFeaturesAreTheRowsOneAfterAnother() {
    float[] flat = digits.flatFeatures();
    assertEquals(1797 * 64, flat.length);
    assertArrayEquals(digits.features()[1796], Arrays.copyOfRange(flat, 1796 * 64, 1797 * 64));
  }

  @Test
  void theFilesAreThoseOfTheExample() {
    assertTrue(Files.isRegularFile(Digits.onnx()), Digits.onnx().toString());
    assertTrue(Files.isDirectory(Digits.parquet()), Digits.parquet().toString());
    assertEquals(Repo.path("examples/digits/digits.csv"), Digits.csv());
  }

  private static List<Float> asList(float[] a) {
    Float[] boxed = new Float[a.length];
    for (int i = 0; i < a.length; i++) {
      boxed[i] = a[i];
    }
    return List.of(boxed);
  }
}
