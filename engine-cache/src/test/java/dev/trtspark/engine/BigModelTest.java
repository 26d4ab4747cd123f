package dev.trtspark.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.trtspark.engine.model.ArtifactLoader;
import dev.trtspark.engine.model.ModelArtifact;
import dev.trtspark.engine.ort.OrtBackend;
import dev.trtspark.testing.TestModels;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Models as large models are stored: with external data files, and over 2 GiB (a sparse file; no GPU needed). */
class BigModelTest {
  @TempDir
  Path tmp;

  private static List<Float> run(ModelArtifact model) {
    try (var engine = new OrtBackend().load(model, -1, BackendConformance.config()); var slot = engine.newSlot(1)) {
      ByteBuffer y = BackendConformance.run(slot, Map.of("x", Fixtures.floats(new float[] {1, 2, 3, 4}, 1, 4))).get("y")
          .order(ByteOrder.nativeOrder());
      return List.of(y.getFloat(0), y.getFloat(4), y.getFloat(8), y.getFloat(12));
    }
  }

  @Test
  void anOnnxModelWithExternalDataRunsFromItsFolderAndItsDataIsPartOfItsIdentity() throws Exception {
    ModelArtifact m = ArtifactLoader.load(TestModels.path("affine_external.onnx").toString());
    assertEquals(Set.of("affine_external.onnx.data"), m.externalDataFiles());
    assertEquals(List.of(3f, 5f, 7f, 9f), run(m));
    // other weights in the data file: another identity, so never another model's cached engine
    Path copy = tmp.resolve("m");
    Files.createDirectories(copy);
    Files.copy(TestModels.path("affine_external.onnx"), copy.resolve("affine_external.onnx"));
    ByteBuffer w = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < 4; i++) {
      w.putFloat(3f);
    }
    for (int i = 0; i < 4; i++) {
      w.putFloat(0f);
    }
    Files.write(copy.resolve("affine_external.onnx.data"), w.array());
    ModelArtifact other = ArtifactLoader.load(copy.resolve("affine_external.onnx").toString());
    assertNotEquals(m.sha256(), other.sha256());
    assertEquals(List.of(3f, 6f, 9f, 12f), run(other));
    Files.delete(copy.resolve("affine_external.onnx.data"));
    EngineException e = assertThrows(EngineException.class,
        () -> ArtifactLoader.load(copy.resolve("affine_external.onnx").toString()));
    assertTrue(e.getMessage().contains("keeps tensors in the external data file affine_external.onnx.data, which is not "
        + "beside it"), e.getMessage());
  }

  @Test
  void aModelOverTwoGibibytesIsHashedAsAStreamAndUsedFromItsFile() throws Exception {
    Path big = tmp.resolve("big.onnx");
    long size = (1L << 31) + (64L << 20);
    try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
      f.write(0x08);  // an ONNX ModelProto starts with ir_version
      f.setLength(size);  // sparse: no disk used
    }
    ModelArtifact m = ArtifactLoader.load(big.toString());
    assertTrue(m.fileOnly());
    assertEquals(size, m.size());
    assertEquals(big, m.localFile().get());
    assertEquals(ModelArtifact.sha256(big), m.sha256());
    EngineException array = assertThrows(EngineException.class, m::bytes);
    assertTrue(array.getMessage().contains("more than a Java array holds; it is used from its file"), array.getMessage());
    EngineException ort = assertThrows(EngineException.class, () -> new OrtBackend().load(m, -1, BackendConformance.config()));
    assertTrue(ort.getMessage().startsWith("ONNX Runtime cannot load " + big), ort.getMessage());
  }
}
