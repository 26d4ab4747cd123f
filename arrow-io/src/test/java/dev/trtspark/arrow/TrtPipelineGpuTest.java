package dev.trtspark.arrow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.trtspark.arrow.pipeline.BatchResult;
import dev.trtspark.conf.TensorBinding;
import dev.trtspark.engine.Engines;
import dev.trtspark.engine.cache.EngineCache;
import dev.trtspark.engine.memory.HostMemory;
import dev.trtspark.testing.Digits;
import dev.trtspark.testing.TestModels;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The pipeline contract through TensorRT on a real GPU, plus what only a GPU can show. */
@Tag("gpu")
class TrtPipelineGpuTest extends PipelineContract {
  @BeforeAll
  static void needsGpu() {
    assumeTrue(Engines.gpuProbe().usable(), "skipped: no usable GPU with TensorRT here (" + Engines.gpuProbe().problem() + ")");
  }

  @Override
  protected Map<String, String> backendOptions() {
    return Map.of("backend", "tensorrt", "build.precision", "fp32");
  }

  @Override
  protected int device() {
    return 0;
  }

  @Override
  protected String[] seqOptions() {
    return new String[] {"build.minShapes", "x:1x1", "build.optShapes", "x:4x16", "build.maxShapes", "x:64x32"};
  }

  @Override
  protected String[] bertOptions() {
    return new String[] {"build.minShapes", "input_ids:1x1,attention_mask:1x1", "build.optShapes",
        "input_ids:4x16,attention_mask:4x16", "build.maxShapes", "input_ids:8x32,attention_mask:8x32"};
  }

  @Test
  void arrowBuffersOfTheTaskAllocatorAreReallyPinned() {
    assertTrue(tensors.pinned());
    FieldVector v = ArrowFixtures.floats("f", grid(1000, 64, 1), 64, allocator);
    try {
      long data = ((FixedSizeListVector) v).getDataVector().getDataBuffer().memoryAddress();
      assertTrue(dev.trtspark.engine.Engines.isPinned(data), "cudaPointerGetAttributes says host-pinned");
      assertTrue(dev.trtspark.engine.Engines.isPinned(v.getValidityBuffer().memoryAddress()));
    } finally {
      v.close();
    }
    org.bytedeco.javacpp.Pointer plain = org.bytedeco.javacpp.Pointer.malloc(4096);
    assertTrue(!dev.trtspark.engine.Engines.isPinned(plain.address()), "ordinary malloc memory is not reported pinned");
    org.bytedeco.javacpp.Pointer.free(plain);
  }

  @Test
  void lengthBucketsBecomeOneProfileEach() {
    var bert = dev.trtspark.engine.model.ArtifactLoader.load(TestModels.path("tiny_bert.onnx").toString());
    try (var lease = Engines.lease(bert, 0, config(concat(bertOptions(), "build.lengthBuckets", "4,8")))) {
      // the plan's profiles: lengths up to 4, 8 and the max shape's 32, read back from the engine
      assertArrayEquals(new long[] {4, 8, 32}, lease.signature().lengthBuckets());
      assertTrue(lease.signature().describe().contains("length buckets [4,8,32]"), lease.signature().describe());
    }
  }

  private float[] digitsProbabilities(int inFlight, float[][] x) {
    EngineCache.resetForTests();
    List<VectorSchemaRoot> batches = new ArrayList<>();
    for (int s = 0; s < x.length; s += 128) {
      batches.add(ArrowFixtures.root(ArrowFixtures.floats("features",
          java.util.Arrays.copyOfRange(x, s, Math.min(x.length, s + 128)), 64, allocator)));
    }
    float[] all = new float[x.length * 10];
    try (Run r = run(Digits.onnx(), List.of(new TensorBinding("features", "features")),
        List.of(new TensorBinding("probs", "probs")), config("batchesInFlight", Integer.toString(inFlight)),
        batches.toArray(new VectorSchemaRoot[0]))) {
      int k = 0;
      for (BatchResult br : r.results()) {
        Float4Vector p = (Float4Vector) ((ListVector) br.outputs().getVector("probs")).getDataVector();
        for (int i = 0; i < br.rows() * 10; i++) {
          all[k++] = p.get(i);
        }
      }
      System.out.println("digits, " + inFlight + " in flight: " + r.metrics());
    }
    return all;
  }

  @Test
  void manyBatchesInFlightGiveTheSameResultsAsOneAtATime() {
    Random rnd = new Random(11);
    float[][] x = new float[3000][64];
    for (float[] row : x) {
      for (int j = 0; j < 64; j++) {
        row[j] = rnd.nextInt(17);
      }
    }
    float[] one = digitsProbabilities(1, x);
    float[] four = digitsProbabilities(4, x);
    assertArrayEquals(one, four);
    assertEquals(30000, one.length);
  }
}
