package dev.trtspark.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.trtspark.conf.ConfigResolver;
import dev.trtspark.conf.ResolvedConfig;
import dev.trtspark.engine.backend.Engine;
import dev.trtspark.engine.backend.ExecutionSlot;
import dev.trtspark.engine.backend.InferenceBackend;
import dev.trtspark.engine.tensor.HostTensor;
import dev.trtspark.testing.Digits;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every fixture model run through a backend and checked against expectations computed here, in
 * Java, from the function each model documents (models/README.md). Shared by the ONNX Runtime tests
 * (CI) and the TensorRT tests (GPU), so both backends meet the same rules.
 */
public final class BackendConformance {
  private final InferenceBackend backend;
  private final int device;

  public BackendConformance(InferenceBackend backend, int device) {
    this.backend = backend;
    this.device = device;
  }

  /** Options for these tests: strict float32 (no TF32) unless a test says otherwise, so results compare exactly. */
  public static ResolvedConfig config(String... keyValues) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("build.precision", "fp32");
    for (int i = 0; i < keyValues.length; i += 2) {
      m.put(keyValues[i], keyValues[i + 1]);
    }
    return ConfigResolver.resolve(m, Map.of());
  }

  /** Runs one batch through a fresh engine + slot and returns the outputs' bytes. */
  public Map<String, ByteBuffer> run(String model, ResolvedConfig config, Map<String, HostTensor> inputs) {
    try (Engine engine = backend.load(Fixtures.artifact(model), device, config);
        ExecutionSlot slot = engine.newSlot(2)) {
      return run(slot, inputs);
    }
  }

  public static Map<String, ByteBuffer> run(ExecutionSlot slot, Map<String, HostTensor> inputs) {
    Map<String, long[]> inShapes = new LinkedHashMap<>();
    inputs.forEach((k, v) -> inShapes.put(k, v.shape()));
    Map<String, long[]> outShapes = slot.outputShapes(inShapes);
    Map<String, ByteBuffer> buffers = new LinkedHashMap<>();
    Map<String, HostTensor> outputs = new LinkedHashMap<>();
    slot.signature().outputs().forEach(t -> {
      long n = 1;
      for (long d : outShapes.get(t.name())) {
        n *= d;
      }
      ByteBuffer b = Fixtures.direct(n * t.dataType().bytes());
      buffers.put(t.name(), b);
      outputs.put(t.name(), HostTensor.of(b, null));
    });
    slot.submit(inputs, outputs).await();
    return buffers;
  }

  private static float[] seq(int n, float scale, float offset) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (i % 17 - 8) * scale + offset;
    }
    return v;
  }

  public void identityAndAffine() {
    float[] x = seq(5 * 4, 0.25f, 0);
    ByteBuffer y = run("identity_f32.onnx", config(), Map.of("x", Fixtures.floats(x, 5, 4))).get("y");
    assertArrayEquals(x, Fixtures.readFloats(y, 20));
    ByteBuffer a = run("affine_f32.onnx", config(), Map.of("x", Fixtures.floats(x, 5, 4))).get("y");
    float[] got = Fixtures.readFloats(a, 20);
    for (int i = 0; i < 20; i++) {
      assertEquals(x[i] * 2f + 1f, got[i], 0f, "row " + i / 4 + " col " + i % 4);
    }
  }

  public void twoInputsTwoOutputs() {
    float[] a = seq(7 * 3, 0.5f, 1);
    float[] b = seq(7 * 3, 0.125f, -2);
    Map<String, HostTensor> in = new LinkedHashMap<>();
    in.put("a", Fixtures.floats(a, 7, 3));
    in.put("b", Fixtures.floats(b, 7, 3));
    Map<String, ByteBuffer> out = run("two_in_two_out.onnx", config(), in);
    float[] sum = Fixtures.readFloats(out.get("sum"), 21);
    float[] prod = Fixtures.readFloats(out.get("prod"), 21);
    for (int i = 0; i < 21; i++) {
      assertEquals(a[i] + b[i], sum[i], 0f, "sum " + i);
      assertEquals(a[i] * b[i], prod[i], 0f, "prod " + i);
    }
  }

  public void float16() {
    float[] x = {0f, 1f, -1.5f, 3f, 0.5f, -4f, 1024f, 6f};
    ByteBuffer in = Fixtures.direct(x.length * 2L);
    for (float f : x) {
      in.putShort(Fixtures.toHalf(f));
    }
    in.flip();
    ByteBuffer y = run("scale_f16.onnx", config(), Map.of("x", HostTensor.of(in, new long[] {2, 4}))).get("y");
    for (int i = 0; i < x.length; i++) {
      assertEquals(x[i] * 2f, Fixtures.fromHalf(y.getShort(i * 2)), 0f, "element " + i);
    }
  }

  public void int32AndInt64() {
    ByteBuffer i32 = Fixtures.direct(3 * 4 * 4);
    for (int i = 0; i < 12; i++) {
      i32.putInt(i * 4, i * 1000 - 5000);
    }
    ByteBuffer y32 = run("add_i32.onnx", config(), Map.of("x", HostTensor.of(i32, new long[] {3, 4}))).get("y");
    for (int i = 0; i < 12; i++) {
      assertEquals(i * 1000 - 5000 + 7, y32.getInt(i * 4), "int32 element " + i);
    }
    ByteBuffer i64 = Fixtures.direct(3 * 4 * 8);
    for (int i = 0; i < 12; i++) {
      i64.putLong(i * 8, (long) i * 3_000_000_000L - 7);
    }
    ByteBuffer y64 = run("add_i64.onnx", config(), Map.of("x", HostTensor.of(i64, new long[] {3, 4}))).get("y");
    for (int i = 0; i < 12; i++) {
      assertEquals((long) i * 3_000_000_000L, y64.getLong(i * 8), "int64 element " + i);
    }
  }

  public void boolAndUint8() {
    ByteBuffer b = Fixtures.direct(8);
    for (int i = 0; i < 8; i++) {
      b.put(i, (byte) (i % 3 == 0 ? 1 : 0));
    }
    ByteBuffer nb = run("not_bool.onnx", config(), Map.of("x", HostTensor.of(b, new long[] {2, 4}))).get("y");
    for (int i = 0; i < 8; i++) {
      assertEquals(i % 3 == 0 ? 0 : 1, nb.get(i), "bool element " + i);
    }
    ByteBuffer u = Fixtures.direct(8);
    int[] values = {0, 1, 127, 128, 200, 254, 255, 64};
    for (int i = 0; i < 8; i++) {
      u.put(i, (byte) values[i]);
    }
    ByteBuffer f = run("u8_to_f32.onnx", config(), Map.of("x", HostTensor.of(u, new long[] {2, 4}))).get("y");
    float[] got = Fixtures.readFloats(f, 8);
    for (int i = 0; i < 8; i++) {
      assertEquals((float) values[i] * (1f / 255f), got[i], 1e-7f, "uint8 element " + i);
    }
  }

  public void multiDimensionalInput() {
    int rows = 3;
    float[] x = new float[rows * 3 * 64];
    for (int i = 0; i < x.length; i++) {
      x[i] = (i % 64) / 64f + i / 64;
    }
    ByteBuffer y = run("image_mean.onnx", config(), Map.of("x", Fixtures.floats(x, rows, 3, 8, 8))).get("y");
    float[] got = Fixtures.readFloats(y, rows * 3);
    for (int p = 0; p < rows * 3; p++) {
      double sum = 0;
      for (int k = 0; k < 64; k++) {
        sum += x[p * 64 + k];
      }
      assertEquals(sum / 64, got[p], 1e-5, "plane " + p);
    }
  }

  /** Two batches of different sequence lengths through one slot. */
  public void variableLength(ResolvedConfig config) {
    try (Engine engine = backend.load(Fixtures.artifact("seq_sum.onnx"), device, config);
        ExecutionSlot slot = engine.newSlot(2)) {
      for (int len : new int[] {3, 11}) {
        float[] x = seq(4 * len, 1f, 0);
        ByteBuffer y = run(slot, Map.of("x", Fixtures.floats(x, 4, len))).get("y");
        float[] got = Fixtures.readFloats(y, 4);
        for (int r = 0; r < 4; r++) {
          float sum = 0;
          for (int s = 0; s < len; s++) {
            sum += x[r * len + s];
          }
          assertEquals(sum, got[r], 1e-4f, "length " + len + " row " + r);
        }
      }
    }
  }

  public void scalarPerRowOutput() {
    float[] x = seq(6 * 4, 0.5f, 0.25f);
    ByteBuffer y = run("scalar_out.onnx", config(), Map.of("x", Fixtures.floats(x, 6, 4))).get("y");
    float[] got = Fixtures.readFloats(y, 6);
    for (int r = 0; r < 6; r++) {
      assertEquals(x[r * 4] + x[r * 4 + 1] + x[r * 4 + 2] + x[r * 4 + 3], got[r], 1e-6f, "row " + r);
    }
  }

  /** A batch of 10 rows through a profile of at most 4 rows: split into 4 + 4 + 2, same results. */
  public void splitsBatchesLargerThanTheProfile() {
    ResolvedConfig c = config("build.maxBatch", "4", "build.optBatch", "4");
    try (Engine engine = backend.load(Fixtures.artifact("affine_f32.onnx"), device, c);
        ExecutionSlot slot = engine.newSlot(2)) {
      assertEquals(4, engine.signature().maxBatch());
      float[] x = seq(10 * 4, 1f, 0.5f);
      float[] got = Fixtures.readFloats(run(slot, Map.of("x", Fixtures.floats(x, 10, 4))).get("y"), 40);
      for (int i = 0; i < 40; i++) {
        assertEquals(x[i] * 2f + 1f, got[i], 0f, "row " + i / 4);
      }
    }
  }

  /** Digits: argmax of the model's probabilities against the labels, over all 1,797 images. */
  public int digitsCorrect(ExecutionSlot slot) throws Exception {
    Digits d = Digits.load();
    int[] y = d.labels();
    ByteBuffer probs = run(slot, Map.of("features", Fixtures.floats(d.flatFeatures(), d.rows(), Digits.FEATURES)))
        .get("probs");
    float[] p = Fixtures.readFloats(probs, d.rows() * 10);
    int correct = 0;
    for (int r = 0; r < d.rows(); r++) {
      int best = 0;
      for (int k = 1; k < 10; k++) {
        if (p[r * 10 + k] > p[r * 10 + best]) {
          best = k;
        }
      }
      float total = 0;
      for (int k = 0; k < 10; k++) {
        total += p[r * 10 + k];
      }
      assertTrue(Math.abs(total - 1f) < 1e-4, "probabilities of row " + r + " sum to " + total);
      correct += best == y[r] ? 1 : 0;
    }
    return correct;
  }

  static float[] asFloats(ByteBuffer b) {
    return Fixtures.readFloats(b.duplicate().order(ByteOrder.nativeOrder()), b.capacity() / 4);
  }
}
