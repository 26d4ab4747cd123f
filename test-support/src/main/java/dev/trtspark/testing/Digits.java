package dev.trtspark.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The digits example of {@code examples/digits/} (scikit-learn's 8x8 digits, 1,797 images, and the small
 * classifier {@code train_digits.py} trained on them): where its files are, and its data as arrays, read
 * from {@code digits.csv} (columns {@code id,label,split,f0..f63}), the source the committed Parquet is
 * written from. One row per image, in id order.
 *
 * @param ids the image ids, 0 to 1796
 * @param features 64 pixel values per image
 * @param labels the digit each image shows
 * @param splits {@code "train"} or {@code "test"}
 */
public record Digits(long[] ids, float[][] features, int[] labels, String[] splits) {
  /** Values per image (8 x 8 pixels). */
  public static final int FEATURES = 64;
  /** Classes: the digits 0 to 9. */
  public static final int CLASSES = 10;

  /** The model: input {@code features} float [batch, 64], output {@code probs} float [batch, 10]. */
  public static Path onnx() {
    return Repo.path("examples/digits/digits.onnx");
  }

  /** The Parquet dataset: {@code id} long, {@code features} array&lt;float&gt;, {@code label} int, {@code split}. */
  public static Path parquet() {
    return Repo.path("examples/digits/digits.parquet");
  }

  /** The CSV the Parquet dataset is written from. */
  public static Path csv() {
    return Repo.path("examples/digits/digits.csv");
  }

  /** Reads {@link #csv()}; each call returns new arrays, so a test may change them. */
  public static Digits load() {
    List<String> lines;
    try {
      lines = Files.readAllLines(csv());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    int n = lines.size() - 1;
    long[] ids = new long[n];
    float[][] x = new float[n][FEATURES];
    int[] y = new int[n];
    String[] split = new String[n];
    for (int r = 0; r < n; r++) {
      String[] f = lines.get(r + 1).split(",");
      if (f.length != 3 + FEATURES) {
        throw new IllegalStateException(csv() + " line " + (r + 2) + " has " + f.length + " fields, not id,label,split and "
            + FEATURES + " features");
      }
      ids[r] = Long.parseLong(f[0]);
      y[r] = Integer.parseInt(f[1]);
      split[r] = f[2];
      for (int i = 0; i < FEATURES; i++) {
        x[r][i] = Float.parseFloat(f[3 + i]);
      }
    }
    return new Digits(ids, x, y, split);
  }

  /** The number of images. */
  public int rows() {
    return labels.length;
  }

  /** The features row after row, {@code rows() * 64} values: a [rows, 64] tensor's contents. */
  public float[] flatFeatures() {
    float[] flat = new float[rows() * FEATURES];
    for (int r = 0; r < rows(); r++) {
      System.arraycopy(features[r], 0, flat, r * FEATURES, FEATURES);
    }
    return flat;
  }
}
