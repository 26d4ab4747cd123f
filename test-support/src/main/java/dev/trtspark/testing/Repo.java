package dev.trtspark.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The trt-spark checkout the tests run in, for files that live outside every module's classpath (the
 * examples, docs, {@code bin/trt-spark}, the modules' sources).
 *
 * <p>The root is the nearest folder, from the system property {@code trt.repo.root} upwards (surefire sets
 * it to Maven's project directory; the GPU scripts to the unpacked tree), or else from the working
 * directory upwards, that holds the parent {@code pom.xml} and {@code engine-cache/}. Starting from the
 * property and still walking up keeps a run from inside a module folder right. Found once per JVM.
 */
public final class Repo {
  /** The system property that names the checkout (or a folder inside it). */
  public static final String PROPERTY = "trt.repo.root";

  private static Path root;

  private Repo() {}

  /** The repository root, absolute and normalized; fails with where it looked when there is none. */
  public static synchronized Path root() {
    if (root == null) {
      root = find(System.getProperty(PROPERTY), Path.of(""));
    }
    return root;
  }

  /** {@code relative} (for example {@code "examples/digits/digits.onnx"}) under the repository root. */
  public static Path path(String relative) {
    return root().resolve(relative);
  }

  /** The checkout at or above {@code property} when it is set, else at or above {@code workingDirectory}. */
  static Path find(String property, Path workingDirectory) {
    Path start = (property != null && !property.isBlank() ? Path.of(property) : workingDirectory)
        .toAbsolutePath().normalize();
    for (Path p = start; p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("pom.xml")) && Files.isDirectory(p.resolve("engine-cache"))) {
        return p;
      }
    }
    throw new IllegalStateException("no trt-spark checkout (a folder with pom.xml and engine-cache/) at or above "
        + start + (property != null ? " (from -D" + PROPERTY + ")" : " (the working directory; set -D" + PROPERTY
        + "=CHECKOUT)"));
  }
}
