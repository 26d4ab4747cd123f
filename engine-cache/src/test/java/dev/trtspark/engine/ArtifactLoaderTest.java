package dev.trtspark.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.trtspark.engine.EngineException;
import dev.trtspark.engine.model.ArtifactLoader;
import dev.trtspark.engine.model.ModelArtifact;
import dev.trtspark.engine.model.ModelKind;
import dev.trtspark.testing.Digits;
import dev.trtspark.testing.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArtifactLoaderTest {
  @TempDir
  Path tmp;

  private static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  @Test
  void bareLocalPathAndFileUriGiveTheSameBytesAndSha256() throws Exception {
    Path onnx = Digits.onnx();
    ModelArtifact bare = ArtifactLoader.load(onnx.toString());
    ModelArtifact uri = ArtifactLoader.load(onnx.toUri().toString());
    byte[] expected = Files.readAllBytes(onnx);
    assertEquals(sha256(expected), bare.sha256());
    assertEquals(bare.sha256(), uri.sha256());
    assertEquals(expected.length, bare.size());
    assertEquals(ModelKind.ONNX, bare.kind());
    assertEquals("1b7324ebf603f2512d361919de405e2fe2afd213d491a097c9aa3b19e85db891", bare.sha256(),
        "the sha256 recorded in examples/digits/model_card.json");
  }

  @Test
  void relativePathIsResolvedAgainstTheWorkingDirectory() throws Exception {
    Path rel = Path.of("").toAbsolutePath().relativize(TestModels.path("identity_f32.onnx"));
    assertEquals(ModelKind.ONNX, ArtifactLoader.load(rel.toString()).kind());
  }

  @Test
  void missingFileSaysWhereItLooked() {
    EngineException e = assertThrows(EngineException.class, () -> ArtifactLoader.load(tmp.resolve("nope.onnx").toString()));
    assertEquals("model file not found: " + tmp.resolve("nope.onnx") + " (resolved to file:" + tmp.resolve("nope.onnx") + ")",
        e.getMessage());
  }

  @Test
  void directoryIsNotAModel() {
    EngineException e = assertThrows(EngineException.class, () -> ArtifactLoader.load(tmp.toString()));
    assertEquals(tmp + " is a directory, not a model file", e.getMessage());
  }

  @Test
  void unknownBytesWithoutAKnownExtensionAreRefused() throws Exception {
    Path f = tmp.resolve("model.bin");
    Files.write(f, new byte[] {0x50, 0x4b, 0x03, 0x04});
    EngineException e = assertThrows(EngineException.class, () -> ArtifactLoader.load(f.toString()));
    assertTrue(e.getMessage().startsWith("cannot tell what " + f + " is: neither an ONNX model (.onnx) nor a TensorRT plan"),
        e.getMessage());
    assertTrue(e.getMessage().endsWith("its first bytes are 504b0304"), e.getMessage());
  }

  @Test
  void emptyFileIsRefused() throws Exception {
    Path f = tmp.resolve("empty.onnx");
    Files.write(f, new byte[0]);
    EngineException e = assertThrows(EngineException.class, () -> ArtifactLoader.load(f.toString()));
    assertEquals("model " + f + " is empty (0 bytes)", e.getMessage());
  }

  @Test
  void planKindIsToldFromTheMagicAndItsSidecarIsRead() throws Exception {
    Path plan = tmp.resolve("m.engine.bin");
    byte[] bytes = {'f', 't', 'r', 't', 1, 2, 3};
    Files.write(plan, bytes);
    Files.writeString(Path.of(plan + ".json"), PlanCompatibilityTest.sidecar(sha256(bytes), "10.6.0", "9.0", "fp32").toJson());
    ModelArtifact a = ArtifactLoader.load(plan.toString());
    assertEquals(ModelKind.TENSORRT_PLAN, a.kind());
    assertEquals("10.6.0", a.sidecar().orElseThrow().tensorrtVersion());
  }

  @Test
  void brokenSidecarNamesTheFile() throws Exception {
    Path plan = tmp.resolve("m.plan");
    Files.write(plan, new byte[] {'f', 't', 'r', 't'});
    Files.writeString(Path.of(plan + ".json"), "{ not json");
    EngineException e = assertThrows(EngineException.class, () -> ArtifactLoader.load(plan.toString()));
    assertTrue(e.getMessage().startsWith("plan sidecar file:" + plan + ".json is not valid JSON"), e.getMessage());
  }

  @Test
  void aPlanThatIsNotOneSaysSoBeforeAnyGpuIsNeeded() throws Exception {
    Path garbage = tmp.resolve("garbage.plan");
    Files.write(garbage, "this is not a plan".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    EngineException e = assertThrows(EngineException.class, () -> ArtifactLoader.load(garbage.toString()));
    assertTrue(e.getMessage().startsWith(garbage + " is not a TensorRT 10 plan: a plan starts with the bytes "
        + "\"ftrt\", this file with 7468697320697320; it may be corrupt"), e.getMessage());
    Path onnx = tmp.resolve("renamed.plan");
    Files.copy(Digits.onnx(), onnx);
    EngineException o = assertThrows(EngineException.class, () -> ArtifactLoader.load(onnx.toString()));
    assertTrue(o.getMessage().contains("(it looks like an ONNX model: name it .onnx"), o.getMessage());
  }

  @Test
  void fileUrisRelativeToTheWorkingDirectoryWork() {
    org.apache.hadoop.fs.Path p = ArtifactLoader.toPath("file:some/relative/m.onnx");
    assertEquals("file:" + Path.of("some/relative/m.onnx").toAbsolutePath(), p.toString());
  }

  @Test
  void aMissingFileSystemJarIsNamed() {
    EngineException e = assertThrows(EngineException.class, () -> ArtifactLoader.load("s3a://bucket/models/m.onnx"));
    assertTrue(e.getMessage().startsWith("no Hadoop FileSystem for s3a:// on the classpath ("), e.getMessage());
    assertTrue(e.getMessage().contains("add org.apache.hadoop:hadoop-aws:"), e.getMessage());
  }
}
