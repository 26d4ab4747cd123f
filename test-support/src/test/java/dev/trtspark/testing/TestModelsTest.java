package dev.trtspark.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestModelsTest {
  @TempDir
  Path tmp;

  @Test
  void aModelIsARealFileOnDisk() throws IOException {
    Path p = TestModels.path("affine_f32.onnx");
    assertTrue(p.isAbsolute(), p.toString());
    assertEquals(176, Files.size(p));
  }

  @Test
  void externalDataLiesBesideItsModel() {
    Path model = TestModels.path("affine_external.onnx");
    assertEquals(model.resolveSibling("affine_external.onnx.data"), TestModels.path("affine_external.onnx.data"));
  }

  @Test
  void anUnknownNameListsTheModelsThereAre() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TestModels.path("nope.onnx"));
    assertTrue(e.getMessage().startsWith("no test model nope.onnx in "), e.getMessage());
    assertTrue(e.getMessage().contains("[add_i32.onnx, add_i64.onnx, affine_external.onnx, affine_external.onnx.data, affine_f32.onnx, "), e.getMessage());
  }

  @Test
  void modelsInAJarAreCopiedOutTogether() throws IOException {
    Path jar = tmp.resolve("test-support.jar");
    try (FileSystem fs = FileSystems.newFileSystem(jar, Map.of("create", "true"))) {
      Files.createDirectories(fs.getPath("/models"));
      Files.writeString(fs.getPath("/models/m.onnx"), "model", StandardCharsets.UTF_8);
      Files.write(fs.getPath("/models/m.onnx.data"), new byte[] {1, 2, 3});
      Files.writeString(fs.getPath("/dev.class"), "not a model", StandardCharsets.UTF_8);
    }
    Path folder = TestModels.extract(jar);
    assertEquals("model", Files.readString(folder.resolve("m.onnx"), StandardCharsets.UTF_8));
    assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(folder.resolve("m.onnx.data")));
    try (var files = Files.list(folder)) {
      assertEquals(2, files.count(), "only the models folder");
    }
  }
}
