package dev.trtspark.engine;

import dev.trtspark.engine.model.ArtifactLoader;
import dev.trtspark.engine.model.ModelArtifact;
import dev.trtspark.engine.tensor.HostTensor;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Test models and host buffers; expectations are computed by each test, never by an engine. */
public final class Fixtures {
  private Fixtures() {}

  public static Path model(String file) {
    try {
      return Path.of(Fixtures.class.getResource("/models/" + file).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  public static ModelArtifact artifact(String file) {
    return ArtifactLoader.load(model(file).toString());
  }

  public static Path repoRoot() {
    return Path.of(System.getProperty("trt.repo.root", "..")).toAbsolutePath().normalize();
  }

  public static Path digitsOnnx() {
    return repoRoot().resolve("examples/digits/digits.onnx");
  }

  /** The digits CSV as {features[1797][64], labels[1797]}. */
  public static Object[] digits() throws IOException {
    List<String> lines = Files.readAllLines(repoRoot().resolve("examples/digits/digits.csv"));
    int n = lines.size() - 1;
    float[][] x = new float[n][64];
    int[] y = new int[n];
    for (int r = 0; r < n; r++) {
      String[] f = lines.get(r + 1).split(",");
      y[r] = Integer.parseInt(f[1]);
      for (int i = 0; i < 64; i++) {
        x[r][i] = Float.parseFloat(f[3 + i]);
      }
    }
    return new Object[] {x, y};
  }

  public static ByteBuffer direct(long bytes) {
    return ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.nativeOrder());
  }

  public static HostTensor floats(float[] values, long... shape) {
    ByteBuffer b = direct(values.length * 4L);
    b.asFloatBuffer().put(values);
    return HostTensor.of(b, shape);
  }

  public static float[] readFloats(ByteBuffer b, int n) {
    float[] out = new float[n];
    b.duplicate().order(ByteOrder.nativeOrder()).asFloatBuffer().get(out);
    return out;
  }

  /** IEEE 754 binary16 of a float that is exact in half precision (normal numbers and zero). */
  public static short toHalf(float f) {
    int bits = Float.floatToIntBits(f);
    int sign = (bits >>> 16) & 0x8000;
    int exp = ((bits >>> 23) & 0xff) - 127 + 15;
    int mant = (bits >>> 13) & 0x3ff;
    if ((bits & 0x7fffffff) == 0) {
      return (short) sign;
    }
    if (exp <= 0 || exp >= 31 || (bits & 0x1fff) != 0) {
      throw new IllegalArgumentException(f + " is not exact in binary16");
    }
    return (short) (sign | (exp << 10) | mant);
  }

  public static float fromHalf(short h) {
    int sign = (h & 0x8000) << 16;
    int exp = (h >>> 10) & 0x1f;
    int mant = h & 0x3ff;
    if (exp == 0 && mant == 0) {
      return Float.intBitsToFloat(sign);
    }
    if (exp == 0 || exp == 31) {
      throw new IllegalArgumentException("subnormal/inf/nan half not needed here");
    }
    return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
  }
}
