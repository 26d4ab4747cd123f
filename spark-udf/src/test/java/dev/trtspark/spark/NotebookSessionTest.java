package dev.trtspark.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.trtspark.testing.Digits;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real interactive session: jshell (spark-repl is not published for Spark 4) with the Spark classpath,
 * typed into line by line, runs two inferences in one SparkSession; the second reuses the cached engine.
 */
class NotebookSessionTest {
  @TempDir
  Path tmp;

  @Test
  void twoInferencesInOneReplSessionShareOneEngine() throws Exception {
    Path jshell = Path.of(System.getProperty("java.home"), "bin", "jshell");
    assumeTrue(Files.isExecutable(jshell), "skipped: no jshell in " + System.getProperty("java.home"));
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    String digits = Digits.parquet().toString();
    String onnx = Digits.onnx().toString();
    String script = String.join("\n",
        "import org.apache.spark.sql.*;",
        "import dev.trtspark.spark.*;",
        "var spark = SparkSession.builder().master(\"local[2]\").config(\"spark.ui.enabled\", \"false\").getOrCreate();",
        "var df = spark.read().parquet(\"" + digits + "\");",
        "var inference = TrtInference.builder().model(\"" + onnx + "\").input(\"features\", \"features\").output(\"probs\", \"probs\").build();",
        "System.out.println(inference.describe());",
        "System.out.println(\"FIRST \" + inference.transform(df).filter(\"array_position(probs, array_max(probs)) - 1 = label\").count());",
        // a count() that reads no output would not run the model (Spark prunes unused columns): read one
        "System.out.println(\"SECOND \" + inference.transform(df.filter(\"split = 'test'\")).filter(\"probs IS NOT NULL\").count());",
        "System.out.println(\"CACHE \" + dev.trtspark.engine.cache.EngineCache.existing().orElseThrow().stats());",
        "System.out.println(\"METRICS \" + inference.metrics().summary());",
        "spark.stop();",
        "/exit",
        "");
    // The classpath travels in a pathing jar: ONNX Runtime 1.29 crashes (SIGSEGV) while loading in a JVM
    // whose command line is longer than about 4 KB, and the test classpath is far longer (docs/engines.md).
    List<String> cmd = new ArrayList<>(List.of(jshell.toString(), "--class-path", pathingJar(cp).toString(),
        "--feedback", "concise"));
    for (String opt : System.getProperty("trt.jvm.opens", "").split(" ")) {
      if (!opt.isBlank()) {
        cmd.add("-R" + opt);
      }
    }
    Path log = tmp.resolve("jshell.log");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    p.getOutputStream().write(script.getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    assertTrue(p.waitFor(240, TimeUnit.SECONDS), "jshell finished in time");
    String out = read(log);
    assertEquals(0, p.exitValue(), out);
    assertTrue(out.contains("input features float32 [-1, 64]"), out);
    assertTrue(out.contains("FIRST 1781"), out);
    assertTrue(out.contains("SECOND 450"), out);
    assertTrue(out.contains("engineLoads=1 engineCacheHits=1"), out);
    assertTrue(out.contains(" 1 loads "), out);
  }

  private Path pathingJar(String classpath) throws IOException {
    StringBuilder entries = new StringBuilder();
    for (String e : classpath.split(java.io.File.pathSeparator)) {
      if (!e.isBlank()) {
        entries.append(Path.of(e).toUri()).append(' ');
      }
    }
    java.util.jar.Manifest manifest = new java.util.jar.Manifest();
    manifest.getMainAttributes().put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().put(java.util.jar.Attributes.Name.CLASS_PATH, entries.toString().trim());
    Path jar = tmp.resolve("classpath.jar");
    try (java.util.jar.JarOutputStream out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar), manifest)) {
      out.flush();
    }
    return jar;
  }

  private static String read(Path p) throws IOException {
    return Files.readString(p, StandardCharsets.UTF_8);
  }
}
