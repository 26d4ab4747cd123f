package dev.trtspark.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.List;
import java.util.stream.Stream;

/**
 * The small ONNX test models (every dtype, several shapes, plugins, external data), written by
 * {@code tools/fixtures/make_models.py} into this module's {@code src/main/resources/models/}, where
 * {@code models/README.md} says what each computes. They come from the classpath, so a test of any module
 * finds them without knowing where another module keeps its files.
 *
 * <p>Backends and the CLI read models from files, so {@link #path} gives a real file: in the class folder
 * when this module's classes are a folder (a reactor build, the GPU host's class folders), else in a
 * temporary folder that the whole {@code models/} folder is copied into once per JVM (classes in a jar), so
 * a model's external data file ({@code affine_external.onnx.data}) is beside it as ONNX requires.
 * Threading: safe; the copy happens once.
 */
public final class TestModels {
  private static final String FOLDER = "models";
  private static Path folder;

  private TestModels() {}

  /** The model (or its data file) {@code name}, for example {@code "affine_f32.onnx"}, as a file on disk. */
  public static Path path(String name) {
    Path p = folder().resolve(name);
    if (!Files.isRegularFile(p)) {
      throw new IllegalArgumentException("no test model " + name + " in " + folder() + "; there are " + names());
    }
    return p;
  }

  /** The file names in the models folder, sorted, its README left out. */
  static List<String> names() {
    try (Stream<Path> files = Files.list(folder())) {
      return files.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".md")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static synchronized Path folder() {
    if (folder == null) {
      folder = locate();
    }
    return folder;
  }

  /** {@code models/} next to this class: in its class folder, or copied out of its jar. */
  private static Path locate() {
    CodeSource source = TestModels.class.getProtectionDomain().getCodeSource();
    URL location = source == null ? null : source.getLocation();
    if (location == null || !"file".equals(location.getProtocol())) {
      throw new IllegalStateException("cannot tell where " + TestModels.class.getName() + " was loaded from ("
          + location + "), so the test models cannot be found");
    }
    Path classes;
    try {
      classes = Path.of(location.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(location + " is not a file path", e);
    }
    if (Files.isDirectory(classes)) {
      Path models = classes.resolve(FOLDER);
      if (!Files.isDirectory(models)) {
        throw new IllegalStateException(models + " is missing: build test-support (mvn -pl test-support install)");
      }
      return models;
    }
    return extract(classes);
  }

  /** Copies {@code models/} out of {@code jar} into a temporary folder removed when the JVM exits. */
  static Path extract(Path jar) {
    try (FileSystem fs = FileSystems.newFileSystem(jar)) {
      Path from = fs.getPath("/" + FOLDER);
      if (!Files.isDirectory(from)) {
        throw new IllegalStateException(jar + " has no " + FOLDER + "/ folder");
      }
      Path to = Files.createTempDirectory("trt-spark-test-models");
      deleteOnExit(to);
      try (Stream<Path> files = Files.list(from)) {
        for (Path f : (Iterable<Path>) files::iterator) {
          Path copy = to.resolve(f.getFileName().toString());
          Files.copy(f, copy);
          deleteOnExit(copy);
        }
      }
      return to;
    } catch (IOException e) {
      throw new UncheckedIOException("copying the test models out of " + jar, e);
    }
  }

  /** Files registered after their folder are deleted before it (deleteOnExit runs in reverse order). */
  private static void deleteOnExit(Path p) {
    p.toFile().deleteOnExit();
  }
}
