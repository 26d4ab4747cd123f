package dev.trtspark.engine;

import dev.trtspark.engine.model.ArtifactLoader;
import dev.trtspark.engine.model.ModelArtifact;
import dev.trtspark.engine.tensor.HostTensor;
import dev.trtspark.testing.TestModels;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Test models as artifacts and host buffers; expectations are computed by each test, never by an engine.
 * The models, the digits data and the checkout's paths come from test-support.
 */
public final class Fixtures {
  private Fixtures() {}

  /** The test model {@code file} (from test-support's {@code TestModels}), loaded as an artifact. */
  public static ModelArtifact artifact(String file) {
    return ArtifactLoader.load(TestModels.path(file).toString());
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
