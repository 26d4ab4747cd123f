package dev.trtspark.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RepoTest {
  @TempDir
  Path tmp;

  @Test
  void theRootHoldsTheParentPomAndTheModules() {
    Path root = Repo.root();
    assertTrue(Files.isRegularFile(root.resolve("pom.xml")), root.toString());
    assertTrue(Files.isDirectory(root.resolve("test-support/src/main/java")), root.toString());
    assertEquals(root.resolve("examples/digits"), Repo.path("examples/digits"));
  }

  @Test
  void aWorkingDirectoryInsideAModuleFindsTheCheckoutAboveIt() {
    Path root = Repo.root();
    assertEquals(root, Repo.find(null, root.resolve("engine-cache/src/main/java")));
  }

  @Test
  void thePropertyWinsOverTheWorkingDirectoryAndMayNameAFolderInside() {
    Path root = Repo.root();
    assertEquals(root, Repo.find(root.resolve("conf").toString(), tmp));
  }

  @Test
  void noCheckoutAboveSaysWhereItLooked() {
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> Repo.find(null, tmp));
    assertTrue(e.getMessage().startsWith("no trt-spark checkout (a folder with pom.xml and engine-cache/) at or above "
        + tmp.toAbsolutePath().normalize() + " (the working directory; set -Dtrt.repo.root=CHECKOUT)"), e.getMessage());
  }
}
