package dev.trtspark.jobs;

import dev.trtspark.engine.model.ArtifactLoader;
import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/** The session a command runs in, and the file checks commands share. */
final class Spark {
  private Spark() {}

  /** The running session (spark-submit, a test), else an embedded one on {@code master} or local[*]. */
  static SparkSession session(String master) {
    SparkSession.Builder b = SparkSession.builder().appName("trt-spark");
    if (SparkSession.getActiveSession().isEmpty() && System.getProperty("spark.master") == null) {
      b = b.master(master == null ? "local[*]" : master).config("spark.ui.showConsoleProgress", "true");
    }
    return b.getOrCreate();
  }

  static FileSystem fs(String location, Configuration conf) throws IOException {
    return ArtifactLoader.toPath(location).getFileSystem(conf);
  }

  static Path path(String location) {
    return ArtifactLoader.toPath(location);
  }
}
