package dev.trtspark.engine.trt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.trtspark.conf.ConfigResolver;
import dev.trtspark.conf.ResolvedConfig;
import dev.trtspark.engine.model.ModelArtifact;
import dev.trtspark.engine.model.PlanMetadata;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plan cache's keys, atomic entries and concurrent writers, on a real (local) Hadoop FileSystem; no GPU. */
class PlanCacheTest {
  @TempDir
  Path tmp;

  private static final ModelArtifact ONNX = ModelArtifact.of("m.onnx", new byte[] {0x08, 1, 2, 3}, null);

  private static ResolvedConfig config(String... kv) {
    Map<String, String> m = new java.util.LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return ConfigResolver.resolve(m, Map.of());
  }

  private static PlanBuilder.BuiltPlan plan(byte fill) {
    byte[] bytes = {'f', 't', 'r', 't', fill, fill, fill};
    PlanMetadata m = new PlanMetadata(PlanMetadata.FORMAT, "10.6.0", "H100", "9.0", ModelArtifact.sha256(bytes), "m.onnx",
        ONNX.sha256(), Map.of(), List.of());
    return new PlanBuilder.BuiltPlan(new org.bytedeco.javacpp.BytePointer(bytes), m, 0);
  }

  private static byte[] bytes(PlanBuilder.BuiltPlan built) {
    byte[] out = new byte[(int) built.size()];
    built.plan().position(0).get(out);
    return out;
  }

  @Test
  void theKeyFollowsTheModelTheOptionsTheTensorRtVersionAndTheGpu() {
    String dir = tmp.toString();
    String a = PlanCache.location(dir, ONNX, config(), "10.6.0", "H100", "9.0");
    assertEquals(a, PlanCache.location(dir, ONNX, config("build.timingCache", "/x"), "10.6.0", "H100", "9.0"),
        "the timing cache is not part of the key");
    assertEquals(a, PlanCache.location(dir, ONNX, config("build.maxBatch", "1024"), "10.6.0", "H100", "9.0"),
        "a default given explicitly is the same plan");
    assertNotEquals(a, PlanCache.location(dir, ONNX, config("build.maxBatch", "256"), "10.6.0", "H100", "9.0"));
    assertNotEquals(a, PlanCache.location(dir, ONNX, config("build.precision", "fp32,fp16"), "10.6.0", "H100", "9.0"));
    assertNotEquals(a, PlanCache.location(dir, ONNX, config(), "10.7.0", "H100", "9.0"));
    assertNotEquals(a, PlanCache.location(dir, ONNX, config(), "10.6.0", "A100", "8.0"));
    assertNotEquals(a, PlanCache.location(dir, ModelArtifact.of("m.onnx", new byte[] {0x08, 9}, null), config(), "10.6.0",
        "H100", "9.0"));
    assertTrue(a.startsWith("file:" + tmp + "/") && a.endsWith("/model.plan"), a);
  }

  @Test
  void anEntryIsUsedOnlyWholeAndIsNeverReplaced() throws Exception {
    String at = PlanCache.location(tmp.toString(), ONNX, config(), "10.6.0", "H100", "9.0");
    Configuration conf = new Configuration();
    assertTrue(PlanCache.find(at, conf).isEmpty(), "a miss");
    PlanCache.put(at, plan((byte) 1), conf);
    assertArrayEquals(bytes(plan((byte) 1)), PlanCache.find(at, conf).get().bytes());
    PlanCache.put(at, plan((byte) 2), conf);
    assertArrayEquals(bytes(plan((byte) 1)), PlanCache.find(at, conf).get().bytes(), "the first entry stays");
    try (Stream<Path> s = Files.walk(tmp)) {
      assertEquals(List.of(), s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp")).toList(),
          "no temporary files left");
    }
    // a torn pair: a plan whose sidecar names other bytes is a miss, never deserialized
    Path planFile = Path.of(at.substring("file:".length()));
    Files.write(planFile, new byte[] {'f', 't', 'r', 't', 7});
    assertTrue(PlanCache.find(at, conf).isEmpty());
    Files.delete(Path.of(planFile + ".json"));
    assertFalse(PlanCache.find(at, conf).isPresent(), "a plan without its sidecar is a miss");
    PlanCache.put(at, plan((byte) 3), conf);
    assertArrayEquals(bytes(plan((byte) 3)), PlanCache.find(at, conf).get().bytes(), "a broken entry is replaced");
  }

  @Test
  void concurrentWritersLeaveOneWholeEntry() throws Exception {
    String at = PlanCache.location(tmp.toString(), ONNX, config(), "10.6.0", "H100", "9.0");
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> f = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        byte fill = (byte) i;
        f.add(pool.submit(() -> PlanCache.put(at, plan(fill), new Configuration())));
      }
      for (Future<?> x : f) {
        x.get();
      }
    } finally {
      pool.shutdown();
    }
    ModelArtifact got = PlanCache.find(at, new Configuration()).orElseThrow();
    assertEquals(got.sha256(), got.sidecar().get().planSha256(), "plan and sidecar of one writer");
    try (Stream<Path> s = Files.walk(tmp)) {
      assertEquals(List.of("model.plan", "model.plan.json"), s.filter(Files::isRegularFile)
          .map(p -> p.getFileName().toString()).sorted().toList(), "one entry, nothing else left");
    }
  }
}
