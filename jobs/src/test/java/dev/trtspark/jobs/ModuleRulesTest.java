package dev.trtspark.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.trtspark.testing.Repo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Enforces the module rules of ARCHITECTURE.md on the main sources of every module (this module's
 * tests see them all): what each module may import, read from {@code import} lines and from
 * fully-qualified names written in code (comments and string literals stripped first), and that every
 * main package has a {@code package-info.java} saying what it may import. Every violation is listed at
 * once, as {@code module: file:line imports X (rule: ...)}, or {@code uses X in code} for a qualified name.
 *
 * <p>The {@code bench} module (when present) may use anything; no other module may use it. The
 * {@code test-support} module (the tests' shared library) uses no other trt-spark module, nor Spark,
 * TensorRT or ONNX Runtime; no module's main code uses it.
 */
class ModuleRulesTest {

  private static final List<String> PRODUCT_MODULES = List.of("conf", "engine-cache", "arrow-io", "spark-udf", "jobs");
  private static final String BENCH = "bench";
  private static final String TEST_SUPPORT = "test-support";

  /** Where a qualified name starts with one of the roots the rules are about. */
  private static final Pattern WATCHED = Pattern.compile(
      "(?<![\\w$.])(?:dev\\.trtspark|org\\.apache\\.spark|org\\.apache\\.arrow|org\\.bytedeco|ai\\.onnxruntime)"
          + "(?:\\.[A-Za-z_$][\\w$]*)+");
  private static final Pattern IMPORT = Pattern.compile("^\\s*import\\s+(?:static\\s+)?([\\w$.]+)(?:\\.\\*)?\\s*;");
  private static final Pattern PACKAGE = Pattern.compile("^\\s*package\\s+([\\w.]+)\\s*;");

  private static final String ENGINE_PUBLIC = "engine, engine.backend, engine.cache, engine.memory, engine.model, "
      + "engine.tensor";

  /** The rules of each module, checked in order; a name is reported against the first rule it breaks. */
  private static final Map<String, List<Rule>> RULES = Map.of(
      "conf", List.of(
          noBenchOrTestSupport(),
          forbid("conf stays light: no Spark, Arrow, TensorRT/CUDA or ONNX Runtime",
              "org.apache.spark", "org.apache.arrow", "org.bytedeco", "ai.onnxruntime"),
          onlyOurs("conf depends on no other trt-spark module", "dev.trtspark.conf.**")),
      "engine-cache", List.of(
          noBenchOrTestSupport(),
          forbid("Spark types never enter engine-cache or arrow-io", "org.apache.spark"),
          forbid("engine-cache does not touch Arrow", "org.apache.arrow"),
          onlyOurs("engine-cache depends only on conf (dependencies point one way)",
              "dev.trtspark.conf.**", "dev.trtspark.engine.**"),
          new Rule("TensorRT-version-specific calls stay in engine.trt",
              (file, pkg) -> under(pkg, "org.bytedeco.tensorrt") && !file.pkg().equals("dev.trtspark.engine.trt"))),
      "arrow-io", List.of(
          noBenchOrTestSupport(),
          forbid("Spark types never enter engine-cache or arrow-io", "org.apache.spark"),
          forbid("TensorRT and CUDA types never leave engine-cache", "org.bytedeco"),
          forbid("ONNX Runtime types never leave engine-cache", "ai.onnxruntime"),
          onlyOurs("arrow-io uses conf and engine-cache's public packages (" + ENGINE_PUBLIC
                  + "), never engine.trt / engine.ort or the modules above it",
              "dev.trtspark.arrow.**", "dev.trtspark.conf.**", "dev.trtspark.engine", "dev.trtspark.engine.backend",
              "dev.trtspark.engine.cache", "dev.trtspark.engine.memory", "dev.trtspark.engine.model",
              "dev.trtspark.engine.tensor")),
      "spark-udf", List.of(
          noBenchOrTestSupport(),
          forbid("TensorRT and CUDA types never leave engine-cache", "org.bytedeco"),
          forbid("ONNX Runtime types never leave engine-cache", "ai.onnxruntime"),
          onlyOurs("spark-udf uses conf, arrow-io and engine-cache's public packages (" + ENGINE_PUBLIC
                  + "), never engine.trt / engine.ort or jobs",
              "dev.trtspark.spark.**", "dev.trtspark.arrow.**", "dev.trtspark.conf.**", "dev.trtspark.engine",
              "dev.trtspark.engine.backend", "dev.trtspark.engine.cache", "dev.trtspark.engine.memory",
              "dev.trtspark.engine.model", "dev.trtspark.engine.tensor")),
      "jobs", List.of(
          noBenchOrTestSupport(),
          forbid("TensorRT and CUDA types never leave engine-cache", "org.bytedeco"),
          forbid("ONNX Runtime types never leave engine-cache", "ai.onnxruntime"),
          onlyOurs("jobs runs inference only through spark-udf's public package dev.trtspark.spark; besides it "
                  + "only conf and engine-cache's front door (engine, engine.model, engine.tensor), no engine "
                  + "internals, spark.exec, spark.sql or arrow-io",
              "dev.trtspark.jobs.**", "dev.trtspark.spark", "dev.trtspark.conf.**", "dev.trtspark.engine",
              "dev.trtspark.engine.model", "dev.trtspark.engine.tensor")),
      BENCH, List.of(),
      TEST_SUPPORT, List.of(
          forbid("test-support serves every module's tests: no Spark, TensorRT/CUDA or ONNX Runtime",
              "org.apache.spark", "org.bytedeco", "ai.onnxruntime"),
          onlyOurs("test-support depends on no trt-spark module", "dev.trtspark.testing.**")));

  @Test
  void scannerReadsEveryModuleAndSeesAKnownImport() {
    Path root = Repo.root();
    for (String module : PRODUCT_MODULES) {
      assertTrue(Files.isDirectory(root.resolve(module).resolve("src/main/java")),
          module + " has no src/main/java under " + root);
    }
    List<SourceFile> files = scan(root);
    assertTrue(files.size() >= 100, "only " + files.size() + " main source files found under " + root);
    SourceFile infer = files.stream().filter(f -> f.path().endsWith("dev/trtspark/jobs/InferCommand.java")).findFirst()
        .orElseThrow(() -> new AssertionError("InferCommand.java not found under " + root));
    assertTrue(infer.names().stream().anyMatch(n -> n.imported() && n.name().equals("dev.trtspark.spark.TrtInference")),
        "the scanner does not see InferCommand's import of TrtInference: " + infer.names());
  }

  @Test
  void scannerSeesQualifiedNamesInCodeButNotInCommentsOrStrings() {
    String source = String.join("\n",
        "package dev.trtspark.spark.exec;",
        "import static org.bytedeco.cuda.global.cudart.cudaFree;",
        "/** Not this: {@link org.apache.arrow.vector.FieldVector}. */",
        "class A {",
        "  // nor this: dev.trtspark.engine.trt.Cuda",
        "  String s = \"dev.trtspark.jobs.Main \\\" org.bytedeco.javacpp.Pointer\";",
        "  String t = \"\"\"",
        "      ai.onnxruntime.OrtSession \\\"\"\" org.apache.arrow.memory.ArrowBuf",
        "      \"\"\";",
        "  char c = '\"';",
        "  Object o = org.apache.spark.SparkEnv.get(); /* dev.trtspark.engine.ort.OrtBackend */",
        "}");
    SourceFile f = SourceFile.of("spark-udf", "spark-udf/src/main/java/A.java", source);
    assertEquals("dev.trtspark.spark.exec", f.pkg());
    assertEquals(List.of(new Name(2, "org.bytedeco.cuda.global.cudart.cudaFree", true),
        new Name(11, "org.apache.spark.SparkEnv", false)), f.names());
  }

  @Test
  void aBrokenRuleIsReportedWithModuleFileLineAndRule() {
    SourceFile f = SourceFile.of("arrow-io", "arrow-io/src/main/java/dev/trtspark/arrow/X.java", String.join("\n",
        "package dev.trtspark.arrow;",
        "import dev.trtspark.engine.cache.EngineLease;",
        "import dev.trtspark.engine.trt.Cuda;",
        "class X { Object o = org.apache.spark.TaskContext.get(); }"));
    List<String> v = violations(List.of(f));
    assertEquals(2, v.size(), String.join("\n", v));
    assertTrue(v.get(0).startsWith("arrow-io: arrow-io/src/main/java/dev/trtspark/arrow/X.java:3 imports "
        + "dev.trtspark.engine.trt.Cuda (rule: arrow-io uses conf and engine-cache's public packages"), v.get(0));
    assertEquals("arrow-io: arrow-io/src/main/java/dev/trtspark/arrow/X.java:4 uses org.apache.spark.TaskContext"
        + " in code (rule: Spark types never enter engine-cache or arrow-io)", v.get(1));
  }

  @Test
  void everyModuleImportsOnlyWhatArchitectureAllows() {
    List<String> v = violations(scan(Repo.root()));
    assertTrue(v.isEmpty(), v.size() + " violation(s) of ARCHITECTURE.md's module rules:\n" + String.join("\n", v));
  }

  @Test
  void everyMainPackageHasAPackageInfoSayingWhatItMayImport() {
    Path root = Repo.root();
    Map<Path, String> packages = new TreeMap<>();
    for (SourceFile f : scan(root)) {
      packages.put(root.resolve(f.path()).getParent(), f.module());
    }
    List<String> missing = new ArrayList<>();
    packages.forEach((dir, module) -> {
      Path info = dir.resolve("package-info.java");
      String where = module + ": " + root.relativize(dir);
      if (!Files.exists(info)) {
        missing.add(where + " has no package-info.java");
      } else if (!read(info).contains("May import")) {
        missing.add(where + "/package-info.java does not say what the package may import (\"May import: ...\")");
      }
    });
    assertTrue(missing.isEmpty(), "every main package says what it is for and what it may import:\n"
        + String.join("\n", missing));
  }

  // ---- the rules

  /** A rule a name breaks, given the file it is written in and the name's package. */
  record Rule(String text, BiPredicate<SourceFile, String> breaks) {}

  private static Rule noBenchOrTestSupport() {
    return forbid("only the bench module uses benchmarks, and only tests use test-support; no shipped module imports "
        + "either", "dev.trtspark.bench", "dev.trtspark.testing");
  }

  private static Rule forbid(String text, String... roots) {
    return new Rule(text, (file, pkg) -> Stream.of(roots).anyMatch(r -> under(pkg, r)));
  }

  /** Of our own packages, only these: {@code p} for p itself, {@code p.**} for p and everything below it. */
  private static Rule onlyOurs(String text, String... allowed) {
    return new Rule(text, (file, pkg) -> under(pkg, "dev.trtspark") && Stream.of(allowed).noneMatch(a ->
        a.endsWith(".**") ? under(pkg, a.substring(0, a.length() - 3)) : pkg.equals(a)));
  }

  private static boolean under(String pkg, String root) {
    return pkg.equals(root) || pkg.startsWith(root + ".");
  }

  static List<String> violations(List<SourceFile> files) {
    List<String> out = new ArrayList<>();
    for (SourceFile f : files) {
      List<Rule> rules = RULES.get(f.module());
      for (Name n : f.names()) {
        String pkg = packageOf(n.name());
        rules.stream().filter(r -> r.breaks().test(f, pkg)).findFirst().ifPresent(r -> out.add(f.module() + ": "
            + f.path() + ":" + n.line() + (n.imported() ? " imports " + n.name() : " uses " + n.name() + " in code")
            + " (rule: " + r.text() + ")"));
      }
    }
    return out;
  }

  /** The package part of a qualified name: its segments before the first capitalized one. */
  static String packageOf(String name) {
    String[] parts = name.split("\\.");
    int n = 0;
    while (n < parts.length && !Character.isUpperCase(parts[n].charAt(0))) {
      n++;
    }
    return String.join(".", List.of(parts).subList(0, n));
  }

  // ---- the scanner

  /** A qualified name a file uses, on which line, and whether from an import. */
  record Name(int line, String name, boolean imported) {}

  /** One main source file: its module, path from the repository root, package and the names it uses. */
  record SourceFile(String module, String path, String pkg, List<Name> names) {

    static SourceFile of(String module, String path, String text) {
      String[] lines = stripCommentsAndStrings(text).split("\n", -1);
      String pkg = "";
      List<Name> names = new ArrayList<>();
      for (int i = 0; i < lines.length; i++) {
        Matcher p = PACKAGE.matcher(lines[i]);
        Matcher imp = IMPORT.matcher(lines[i]);
        if (p.find()) {
          pkg = p.group(1);
        } else if (imp.find()) {
          if (WATCHED.matcher(imp.group(1)).matches()) {
            names.add(new Name(i + 1, imp.group(1), true));
          }
        } else {
          Matcher m = WATCHED.matcher(lines[i]);
          while (m.find()) {
            names.add(new Name(i + 1, upToType(m.group()), false));
          }
        }
      }
      return new SourceFile(module, path, pkg, List.copyOf(names));
    }

    /** {@code org.apache.spark.SparkEnv.get} is a use of {@code org.apache.spark.SparkEnv}. */
    private static String upToType(String name) {
      String pkg = packageOf(name);
      if (pkg.length() == name.length()) {
        return name;
      }
      int end = name.indexOf('.', pkg.length() + 1);
      return end < 0 ? name : name.substring(0, end);
    }
  }

  /**
   * Every {@code *.java} under {@code MODULE/src/main/java} of the product modules and, when present, bench and
   * test-support.
   */
  static List<SourceFile> scan(Path root) {
    List<SourceFile> files = new ArrayList<>();
    for (String module : Stream.concat(PRODUCT_MODULES.stream(), Stream.of(BENCH, TEST_SUPPORT)).toList()) {
      Path src = root.resolve(module).resolve("src/main/java");
      if (!Files.isDirectory(src)) {
        continue;
      }
      try (Stream<Path> walk = Files.walk(src)) {
        walk.filter(p -> p.toString().endsWith(".java")).sorted().forEach(p ->
            files.add(SourceFile.of(module, root.relativize(p).toString(), read(p))));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return files;
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The source with comments, string and character literals and text blocks blanked out (newlines kept,
   * so line numbers stay right): what is left is code, where a qualified name is a real use.
   */
  static String stripCommentsAndStrings(String s) {
    StringBuilder out = new StringBuilder(s);
    int n = s.length();
    int i = 0;
    while (i < n) {
      char c = s.charAt(i);
      int end;
      if (s.startsWith("//", i)) {
        end = s.indexOf('\n', i);
        end = end < 0 ? n : end;
      } else if (s.startsWith("/*", i)) {
        end = s.indexOf("*/", i + 2);
        end = end < 0 ? n : end + 2;
      } else if (s.startsWith("\"\"\"", i)) {
        end = i + 3;
        while (end < n && !s.startsWith("\"\"\"", end)) {
          end += s.charAt(end) == '\\' ? 2 : 1;
        }
        end = Math.min(n, end + 3);
      } else if (c == '"' || c == '\'') {
        end = i + 1;
        while (end < n && s.charAt(end) != c && s.charAt(end) != '\n') {
          end += s.charAt(end) == '\\' ? 2 : 1;
        }
        end = Math.min(n, end + 1);
      } else {
        i++;
        continue;
      }
      for (int k = i; k < end; k++) {
        if (out.charAt(k) != '\n') {
          out.setCharAt(k, ' ');
        }
      }
      i = end;
    }
    return out.toString();
  }
}
