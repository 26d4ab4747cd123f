package dev.trtspark.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.trtspark.conf.ResolvedConfig;
import dev.trtspark.engine.backend.Engine;
import dev.trtspark.engine.backend.ExecutionSlot;
import dev.trtspark.engine.cache.CacheStats;
import dev.trtspark.engine.cache.EngineCache;
import dev.trtspark.engine.cache.EngineLease;
import dev.trtspark.engine.cache.SlotLease;
import dev.trtspark.engine.model.ArtifactLoader;
import dev.trtspark.engine.model.ModelArtifact;
import dev.trtspark.engine.model.ModelKind;
import dev.trtspark.engine.model.PlanMetadata;
import dev.trtspark.engine.ort.OrtBackend;
import dev.trtspark.engine.tensor.HostTensor;
import dev.trtspark.engine.trt.Cuda;
import dev.trtspark.engine.trt.PlanBuilder;
import dev.trtspark.engine.trt.TrtBackend;
import dev.trtspark.testing.Digits;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TensorRT on a real GPU: the same conformance rules as ONNX Runtime, plus plans, sidecars and the cache. */
@Tag("gpu")
class TrtBackendGpuTest {
  private static final ResolvedConfig SEQ = BackendConformance.config(
      "build.minShapes", "x:1x1", "build.optShapes", "x:4x16", "build.maxShapes", "x:64x32");
  private final BackendConformance trt = new BackendConformance(new TrtBackend(), 0);

  @TempDir
  Path tmp;

  @BeforeAll
  static void needsGpu() {
    Cuda.Probe p = Cuda.probe();
    assumeTrue(p.usable(), "skipped: no usable GPU with TensorRT here (" + p.problem() + ")");
    System.out.println("GPU: " + Cuda.device(0) + ", TensorRT " + p.tensorrtVersion());
  }

  @AfterEach
  void reset() {
    EngineCache.resetForTests();
  }

  @Test
  void identityAndAffine() {
    trt.identityAndAffine();
  }

  @Test
  void twoInputsTwoOutputs() {
    trt.twoInputsTwoOutputs();
  }

  @Test
  void float16() {
    trt.float16();
  }

  @Test
  void int32AndInt64() {
    trt.int32AndInt64();
  }

  @Test
  void boolAndUint8() {
    trt.boolAndUint8();
  }

  @Test
  void multiDimensionalInput() {
    trt.multiDimensionalInput();
  }

  @Test
  void variableLength() {
    trt.variableLength(SEQ);
  }

  @Test
  void scalarPerRowOutput() {
    trt.scalarPerRowOutput();
  }

  @Test
  void splitsBatchesLargerThanTheProfile() {
    trt.splitsBatchesLargerThanTheProfile();
  }

  @Test
  void everyFloatFixtureMatchesOnnxRuntime() {
    Random rnd = new Random(7);
    for (String model : List.of("identity_f32.onnx", "affine_f32.onnx", "image_mean.onnx", "scalar_out.onnx", "seq_sum.onnx")) {
      ResolvedConfig c = model.equals("seq_sum.onnx") ? SEQ : BackendConformance.config();
      try (Engine t = new TrtBackend().load(Fixtures.artifact(model), 0, c);
          Engine o = new OrtBackend().load(Fixtures.artifact(model), -1, c);
          ExecutionSlot ts = t.newSlot(2);
          ExecutionSlot os = o.newSlot(1)) {
        long[] shape = t.signature().inputs().get(0).shape();
        shape[0] = 300;
        for (int d = 1; d < shape.length; d++) {
          shape[d] = shape[d] < 0 ? 20 : shape[d];
        }
        int n = (int) dev.trtspark.engine.tensor.TensorInfo.elements(shape);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
          x[i] = (float) rnd.nextGaussian();
        }
        String in = t.signature().inputs().get(0).name();
        float[] a = BackendConformance.asFloats(BackendConformance.run(ts, Map.of(in, Fixtures.floats(x, shape))).values().iterator().next());
        float[] b = BackendConformance.asFloats(BackendConformance.run(os, Map.of(in, Fixtures.floats(x, shape))).values().iterator().next());
        double maxAbs = 0;
        for (int i = 0; i < a.length; i++) {
          maxAbs = Math.max(maxAbs, Math.abs(a[i] - b[i]));
          assertEquals(b[i], a[i], 1e-3 * Math.max(1, Math.abs(b[i])), model + " element " + i);
        }
        System.out.printf("compare %s: %d elements, max abs error vs ONNX Runtime %.3g%n", model, a.length, maxAbs);
      }
    }
  }

  private ModelArtifact buildDigitsPlan(String precision) {
    ModelArtifact onnx = ArtifactLoader.load(Digits.onnx().toString());
    PlanBuilder.BuiltPlan built = PlanBuilder.build(onnx,
        BackendConformance.config("build.precision", precision, "build.maxBatch", "2048", "build.optBatch", "1024",
            "build.timingCache", tmp.resolve("timing.cache").toString()), 0);
    System.out.printf("digits plan (%s): %d bytes, built in %.2f s%n", precision, built.size(), built.buildSeconds());
    String location = tmp.resolve("digits-" + precision + ".plan").toString();
    built.write(location, new Configuration());
    return ArtifactLoader.load(location);
  }

  @Test
  void digitsPlanMatchesOnnxRuntimeAndTheRecordedAccuracy() throws Exception {
    ModelArtifact plan = buildDigitsPlan("fp32");
    assertTrue(plan.sidecar().isPresent());
    PlanMetadata m = plan.sidecar().get();
    assertEquals(plan.sha256(), m.planSha256());
    assertEquals(Cuda.probe().tensorrtVersion(), m.tensorrtVersion());
    assertTrue(Files.size(tmp.resolve("timing.cache")) > 0, "timing cache written");
    ResolvedConfig c = BackendConformance.config("backend", "tensorrt");
    try (EngineLease lease = Engines.lease(plan, 0, c); SlotLease slot = lease.leaseSlot()) {
      assertEquals("tensorrt", lease.backendName());
      assertEquals(2048, lease.signature().maxBatch());
      // through the lease API, as callers use it
      Digits d = Digits.load();
      float[] flat = d.flatFeatures();
      ByteBuffer out = Fixtures.direct(d.rows() * 10L * 4);
      slot.submit(Map.of("features", Fixtures.floats(flat, d.rows(), 64)), Map.of("probs", HostTensor.of(out, null))).await();
      float[] gpu = Fixtures.readFloats(out, d.rows() * 10);
      try (Engine o = new OrtBackend().load(ArtifactLoader.load(Digits.onnx().toString()), -1, BackendConformance.config());
          ExecutionSlot os = o.newSlot(1)) {
        float[] cpu = BackendConformance.asFloats(BackendConformance.run(os, Map.of("features", Fixtures.floats(flat, d.rows(), 64))).get("probs"));
        double maxAbs = 0;
        for (int i = 0; i < cpu.length; i++) {
          maxAbs = Math.max(maxAbs, Math.abs(cpu[i] - gpu[i]));
        }
        System.out.printf("digits fp32 plan vs ONNX Runtime: max abs error %.3g over %d probabilities%n", maxAbs, cpu.length);
        assertTrue(maxAbs < 1e-3, "max abs error " + maxAbs);
      }
    }
    try (Engine e = new TrtBackend().load(plan, 0, BackendConformance.config()); ExecutionSlot s = e.newSlot(1)) {
      int correct = trt.digitsCorrect(s);
      System.out.println("digits on TensorRT: " + correct + " of 1797 correct");
      assertEquals(1781, correct);
    }
  }

  @Test
  void eightThreadsWithTheirOwnSlotsGetIdenticalResults() throws Exception {
    ModelArtifact plan = buildDigitsPlan("fp32");
    ResolvedConfig c = BackendConformance.config("slotsPerEngine", "8");
    float[] flat = new float[512 * 64];
    Random rnd = new Random(3);
    for (int i = 0; i < flat.length; i++) {
      flat[i] = rnd.nextInt(17);
    }
    float[] reference;
    try (EngineLease lease = Engines.lease(plan, 0, c); SlotLease s = lease.leaseSlot()) {
      ByteBuffer out = Fixtures.direct(512 * 10 * 4);
      s.submit(Map.of("features", Fixtures.floats(flat, 512, 64)), Map.of("probs", HostTensor.of(out, null))).await();
      reference = Fixtures.readFloats(out, 5120);
    }
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Future<float[][]>> results = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      results.add(pool.submit(() -> {
        try (EngineLease lease = Engines.lease(plan, 0, c); SlotLease s = lease.leaseSlot()) {
          float[][] all = new float[20][];
          for (int it = 0; it < 20; it++) {
            ByteBuffer out = Fixtures.direct(512 * 10 * 4);
            s.submit(Map.of("features", Fixtures.floats(flat, 512, 64)), Map.of("probs", HostTensor.of(out, null))).await();
            all[it] = Fixtures.readFloats(out, 5120);
          }
          return all;
        }
      }));
    }
    for (Future<float[][]> f : results) {
      for (float[] r : f.get()) {
        assertArrayEquals(reference, r);
      }
    }
    pool.shutdown();
    CacheStats s = EngineCache.existing().orElseThrow().stats();
    System.out.println("after 9 leases from 9 threads: " + s);
    assertEquals(1, s.loads(), "deserialized once");
    assertEquals(8, s.hits());
  }

  @Test
  void aPlanBuiltWithOtherOptionsIsRefusedBySidecar() {
    ModelArtifact plan = buildDigitsPlan("fp32");
    EngineException e = assertThrows(EngineException.class,
        () -> new TrtBackend().load(plan, 0, BackendConformance.config("build.precision", "fp16")));
    System.out.println("refused: " + e.getMessage());
    assertTrue(e.getMessage().contains("it was built with spark.trt.build.precision=fp32 but spark.trt.build.precision=fp16 "
        + "was asked for"), e.getMessage());
    assertTrue(e.getMessage().contains("Rebuild it on this kind of executor: trt-spark build --onnx "), e.getMessage());
  }

  @Test
  void aPlanForAnotherGpuIsRefusedBeforeDeserializing() throws Exception {
    ModelArtifact plan = buildDigitsPlan("fp32");
    PlanMetadata m = plan.sidecar().get();
    PlanMetadata other = new PlanMetadata(m.format(), m.tensorrtVersion(), "NVIDIA A100-SXM4-80GB", "8.0", m.planSha256(),
        m.sourceOnnx(), m.sourceOnnxSha256(), m.builderOptions(), m.tensors());
    Files.writeString(Path.of(plan.uri() + ".json"), other.toJson());
    EngineException e = assertThrows(EngineException.class,
        () -> new TrtBackend().load(ArtifactLoader.load(plan.uri()), 0, BackendConformance.config()));
    System.out.println("refused: " + e.getMessage());
    assertTrue(e.getMessage().contains("it was built for NVIDIA A100-SXM4-80GB (sm_80) and this executor's GPU is "), e.getMessage());
  }

  @Test
  void corruptAndTruncatedPlansFailCleanly() throws Exception {
    ModelArtifact plan = buildDigitsPlan("fp32");
    byte[] bytes = plan.bytes();
    System.out.printf("plan magic: %02x %02x %02x %02x%n", bytes[0], bytes[1], bytes[2], bytes[3]);
    Path bin = tmp.resolve("digits.bin");
    Files.write(bin, bytes);
    assertEquals(ModelKind.TENSORRT_PLAN, ArtifactLoader.load(bin.toString()).kind(), "told from the bytes alone");
    Path truncated = tmp.resolve("truncated.plan");
    Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    EngineException t = assertThrows(EngineException.class,
        () -> new TrtBackend().load(ArtifactLoader.load(truncated.toString()), 0, BackendConformance.config()));
    System.out.println("truncated: " + t.getMessage());
    assertTrue(t.getMessage().contains("could not deserialize plan"), t.getMessage());
    Path garbage = tmp.resolve("garbage.plan");
    byte[] junk = new byte[4096];
    new Random(1).nextBytes(junk);
    Files.write(garbage, junk);
    EngineException g = assertThrows(EngineException.class, () -> ArtifactLoader.load(garbage.toString()));
    assertTrue(g.getMessage().contains("is not a TensorRT 10 plan"), g.getMessage());
  }

  @Test
  void parserErrorsNameTheNode() throws Exception {
    byte[] onnx = Files.readAllBytes(Digits.onnx());
    Path broken = tmp.resolve("broken.onnx");
    Files.write(broken, java.util.Arrays.copyOf(onnx, onnx.length - 300));
    EngineException e = assertThrows(EngineException.class,
        () -> PlanBuilder.build(ArtifactLoader.load(broken.toString()), BackendConformance.config(), 0));
    System.out.println("parser: " + e.getMessage());
    assertTrue(e.getMessage().startsWith("TensorRT's ONNX parser rejected "), e.getMessage());
  }

  @Test
  void int8WithoutQuantizeNodesIsRefused() {
    EngineException e = assertThrows(EngineException.class, () -> PlanBuilder.build(
        ArtifactLoader.load(Digits.onnx().toString()), BackendConformance.config("build.precision", "int8"), 0));
    assertTrue(e.getMessage().startsWith("int8 needs a model with QuantizeLinear/DequantizeLinear nodes"), e.getMessage());
  }

  @Test
  void fp16PlanKeepsTheArgmaxes() throws Exception {
    ModelArtifact plan = buildDigitsPlan("fp16,fp32");
    // loaded with the options it was built with (a plan checks the options a caller sets against its own)
    try (Engine e = new TrtBackend().load(plan, 0, BackendConformance.config("build.precision", "fp16,fp32"));
        ExecutionSlot s = e.newSlot(1)) {
      int correct = trt.digitsCorrect(s);
      System.out.println("digits on TensorRT fp16: " + correct + " of 1797 correct");
      assertTrue(Math.abs(correct - 1781) <= 2, "fp16 accuracy " + correct);
    }
  }

  /** Device free memory once the allocator settled (TensorRT and CUDA free asynchronously on some paths). */
  private static long freeBytes() {
    org.bytedeco.cuda.global.cudart.cudaDeviceSynchronize();
    return Cuda.memInfo(0)[0];
  }

  @Test
  void evictedEnginesAndTheirContextsGiveTheirGpuMemoryBack() {
    ModelArtifact plan = buildDigitsPlan("fp32");
    ResolvedConfig c = BackendConformance.config("backend", "tensorrt", "slotsPerEngine", "2", "batchesInFlight", "3");
    float[] x = new float[512 * 64];
    // one warm-up cycle: CUDA and TensorRT keep some memory for the process (kernels, workspace pools)
    List<Long> free = new ArrayList<>();
    for (int cycle = 0; cycle <= 30; cycle++) {
      try (EngineLease lease = Engines.lease(plan, 0, c); SlotLease a = lease.leaseSlot(); SlotLease b = lease.leaseSlot()) {
        for (SlotLease s : List.of(a, b)) {
          ByteBuffer out = Fixtures.direct(512 * 10 * 4);
          s.submit(Map.of("features", Fixtures.floats(x, 512, 64)), Map.of("probs", HostTensor.of(out, null))).await();
        }
      }
      EngineCache.resetForTests();
      free.add(freeBytes());
    }
    long total = Cuda.memInfo(0)[1];
    long start = free.get(0);
    long end = free.get(free.size() - 1);
    System.out.printf("free GPU memory after each load/evict cycle (MiB): %s%n",
        free.stream().map(f -> Long.toString(f >> 20)).toList());
    assertTrue(Math.abs(end - start) <= total / 100, "free memory after 30 cycles within 1% of the start: "
        + (start >> 20) + " MiB then " + (end >> 20) + " MiB");
  }

  @Test
  void aSlotThatDoesNotFitTheGpuSaysSoWithSizes() {
    ResolvedConfig c = BackendConformance.config("build.maxBatch", "1000000", "build.optBatch", "1024");
    try (Engine engine = new TrtBackend().load(Fixtures.artifact("image_mean.onnx"), 0, c)) {
      // leave less free memory than one lane's input buffer (1,000,000 x 3x8x8 floats = 732 MiB)
      long free = freeBytes();
      org.bytedeco.javacpp.Pointer hog = new org.bytedeco.javacpp.Pointer();
      assertEquals(0, org.bytedeco.cuda.global.cudart.cudaMalloc(hog, free - (256L << 20)));
      try {
        EngineException e = assertThrows(EngineException.class, () -> engine.newSlot(1));
        System.out.println("out of memory: " + e.getMessage());
        assertTrue(e.getMessage().matches("(?s)(the GPU is out of memory: 732 MiB for tensor x|TensorRT could not create an "
            + "execution context).* at the profile's max batch of 1000000 rows.*MiB free on GPU 0.*lower spark.trt.batchesInFlight.*"),
            e.getMessage());
      } finally {
        org.bytedeco.cuda.global.cudart.cudaFree(hog);
      }
      try (ExecutionSlot ok = engine.newSlot(1)) {
        assertEquals(1, ok.lanes(), "with the memory back, the same engine makes its slot");
      }
    }
  }

  @Test
  void tf32IsOnByDefaultAsInTrtexec() {
    ModelArtifact onnx = ArtifactLoader.load(Digits.onnx().toString());
    PlanBuilder.BuiltPlan built = PlanBuilder.build(onnx, dev.trtspark.conf.ConfigResolver.resolve(Map.of(), Map.of()), 0);
    assertEquals("fp32,tf32", built.metadata().builderOptions().get("spark.trt.build.precision"),
        built.metadata().builderOptions().toString());
  }

  @Test
  @SuppressWarnings("try")  // a resource held for its block, never read
  void anOnnxModelIsBuiltOncePerPlanCacheAndLoadedFromItAfter() throws Exception {
    ResolvedConfig c = BackendConformance.config("backend", "tensorrt", "planCache.dir", tmp.resolve("cache").toString());
    ModelArtifact onnx = ArtifactLoader.load(Digits.onnx().toString());
    long before = PlanBuilder.builds();
    for (int jvm = 0; jvm < 3; jvm++) {
      // each load as a new executor JVM's would be: the backend asked for an engine from the ONNX model
      try (Engine e = new TrtBackend().load(onnx, 0, c); ExecutionSlot s = e.newSlot(1)) {
        assertEquals(1781, trt.digitsCorrect(s), "load " + jvm);
      }
    }
    assertEquals(before + 1, PlanBuilder.builds(), "built once, then read from the cache");
    try (java.util.stream.Stream<Path> s = Files.walk(tmp.resolve("cache"))) {
      assertEquals(List.of("model.plan", "model.plan.json"), s.filter(Files::isRegularFile)
          .map(p -> p.getFileName().toString()).sorted().toList());
    }
    ResolvedConfig off = BackendConformance.config("backend", "tensorrt", "planCache.dir", "off");
    try (Engine e = new TrtBackend().load(onnx, 0, off)) {
      assertEquals(before + 2, PlanBuilder.builds(), "planCache.dir=off builds in memory");
    }
  }

  @Test
  void aModelWithAStandardPluginOpBuildsAndRuns() {
    // 8 boxes (y1, x1, y2, x2): 0 and 5 far apart and confident, 1 overlaps 0 with a lower score (suppressed),
    // the others below the score threshold
    float[] boxes = new float[8 * 4];
    float[] scores = new float[8 * 2];
    float[][] b = {{0, 0, 10, 10}, {1, 1, 10, 10}, {50, 50, 60, 60}, {0, 0, 1, 1}, {5, 5, 6, 6}, {100, 100, 120, 120},
        {30, 30, 31, 31}, {70, 70, 71, 71}};
    float[] s0 = {0.9f, 0.8f, 0.1f, 0.05f, 0.0f, 0.0f, 0.1f, 0.0f};
    float[] s1 = {0.0f, 0.0f, 0.0f, 0.0f, 0.1f, 0.7f, 0.0f, 0.15f};
    for (int i = 0; i < 8; i++) {
      System.arraycopy(b[i], 0, boxes, i * 4, 4);
      scores[i * 2] = s0[i];
      scores[i * 2 + 1] = s1[i];
    }
    try (Engine e = new TrtBackend().load(Fixtures.artifact("nms_plugin.onnx"), 0, BackendConformance.config());
        ExecutionSlot slot = e.newSlot(1)) {
      Map<String, ByteBuffer> out = BackendConformance.run(slot, Map.of("boxes", Fixtures.floats(boxes, 1, 8, 4),
          "scores", Fixtures.floats(scores, 1, 8, 2)));
      assertEquals(2, out.get("num_detections").order(java.nio.ByteOrder.nativeOrder()).getInt(0), "two boxes kept");
      float[] got = Fixtures.readFloats(out.get("detection_scores"), 2);
      assertArrayEquals(new float[] {0.9f, 0.7f}, got, 1e-6f);
      float[] kept = Fixtures.readFloats(out.get("detection_boxes"), 8);
      assertArrayEquals(new float[] {0, 0, 10, 10, 100, 100, 120, 120}, kept, 1e-4f);
    }
  }

  @Test
  void aPlanWithoutSidecarIsDescribedWhereTheGpuIs() throws Exception {
    ModelArtifact built = buildDigitsPlan("fp32");
    Path bare = tmp.resolve("trtexec.engine");
    Files.write(bare, built.bytes());  // as trtexec --saveEngine leaves it: no sidecar
    ModelArtifact plan = ArtifactLoader.load(bare.toString());
    assertTrue(plan.sidecar().isEmpty());
    String json = Engines.describePlanHere(plan, BackendConformance.config("backend", "tensorrt"));
    PlanMetadata m = PlanMetadata.parse(json, "executor");
    assertEquals(Cuda.probe().tensorrtVersion(), m.tensorrtVersion());
    var sig = Engines.signatureOf(bare.toString(), m.tensors());
    assertEquals("input features float32 [-1, 64] profile [1x64]..[2048x64]", sig.inputs().get(0).toString());
    assertEquals("output probs float32 [-1, 10]", sig.outputs().get(0).toString());
  }
}
