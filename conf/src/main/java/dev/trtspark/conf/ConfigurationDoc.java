package dev.trtspark.conf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Renders docs/configuration.md from the declared options. Run by {@code mvn -Pgen-docs -pl conf
 * process-classes}; {@code ConfigurationDocTest} fails when the committed file differs from what this
 * renders.
 */
public final class ConfigurationDoc {
  private ConfigurationDoc() {}

  public static String render() {
    StringBuilder md = new StringBuilder();
    md.append("<!-- Generated from the entries in conf/src/main/java/dev/trtspark/conf; do not edit.\n")
        .append("     Regenerate with: mvn -Pgen-docs -pl conf process-classes -->\n")
        .append("# trt-spark configuration\n\n")
        .append("Set keys in the Spark session (`--conf spark.trt.batchSize=512`, `spark.conf.set(...)`) or per call\n")
        .append("(`.option(\"batchSize\", \"512\")`, short names allowed). An explicit call option wins over the session,\n")
        .append("the session over the default. Values are checked on the driver before any task starts; an unknown\n")
        .append("`spark.trt.*` key is an error.\n\n")
        .append("Keys marked **Fixed** are read once, where the entry says: per executor JVM, or per engine (one model on\n")
        .append("one GPU in an executor JVM, until it is evicted). Later jobs keep that value, and the executor logs a\n")
        .append("warning when a job asks for another. Set them in the session, not per call.\n\n");
    section(md, "Inference", TrtConf.all());
    section(md, "Building plans (`trt-spark build`)", BuildConf.all());
    return md.toString();
  }

  private static void section(StringBuilder md, String title, List<ConfigOption<?>> options) {
    md.append("## ").append(title).append("\n\n")
        .append("| key | type | default | meaning |\n")
        .append("| --- | --- | --- | --- |\n");
    for (ConfigOption<?> o : options) {
      String meaning = o.fixed().map(w -> "**Fixed** " + w + ". ").orElse("")
          + o.description() + o.allowed().map(a -> " Allowed: " + a + ".").orElse("");
      md.append("| `").append(o.key()).append("` | ").append(cell(o.typeName())).append(" | ")
          .append(o.defaultValue().isPresent() ? "`" + cell(o.defaultText()) + "`" : "(none)").append(" | ")
          .append(cell(meaning)).append(" |\n");
    }
    md.append('\n');
  }

  private static String cell(String s) {
    return s.replace("|", "\\|");
  }

  /** Writes the document to the path given as the only argument. */
  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: ConfigurationDoc <output.md>");
    }
    Path out = Path.of(args[0]);
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.writeString(out, render(), StandardCharsets.UTF_8);
    System.out.println("wrote " + out);
  }
}
