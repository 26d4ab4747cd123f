package dev.trtspark.engine.model;

import dev.trtspark.engine.EngineException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Paths;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Reads models from any Hadoop FileSystem ({@code file:}, {@code hdfs:}, {@code s3a:} when its jars
 * are on the classpath); a bare path is a local file. A plan's sidecar {@code <plan>.json} is read
 * from beside it when present. Stateless; thread-safe.
 */
public final class ArtifactLoader {

  private ArtifactLoader() {}

  public static ModelArtifact load(String location) {
    return load(location, new Configuration());
  }

  /** @throws EngineException when the file is missing, unreadable, too large or of unknown kind */
  public static ModelArtifact load(String location, Configuration hadoopConf) {
    return read(location, hadoopConf).withHadoopConf(hadoopConf);
  }

  private static ModelArtifact read(String location, Configuration hadoopConf) {
    Path path = toPath(location);
    try {
      FileSystem fs = fileSystem(path, hadoopConf);
      FileStatus status = status(fs, path, location);
      java.nio.file.Path local = "file".equals(fs.getUri().getScheme())
          ? java.nio.file.Path.of(path.toUri().getPath()) : null;
      ModelArtifact a;
      if (status.getLen() > ModelArtifact.MAX_ARRAY_BYTES) {
        // over 2 GiB: never one array; a remote model is copied to a local file first (streamed)
        if (local == null) {
          local = java.nio.file.Files.createTempFile("trt-spark-model-", "-" + path.getName());
          local.toFile().deleteOnExit();
          fs.copyToLocalFile(false, path, new Path(local.toUri()), true);
        }
        a = ModelArtifact.ofLargeFile(location, local, null);
      } else {
        byte[] bytes = readAll(fs, path, location);
        a = ModelArtifact.of(location, bytes, local, null);
        if (local == null && !a.externalDataFiles().isEmpty()) {
          // a remote model with external data: the model and its data files into a local folder, side by side
          java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("trt-spark-model-");
          java.nio.file.Path model = dir.resolve(path.getName());
          java.nio.file.Files.write(model, bytes);
          for (String f : a.externalDataFiles()) {
            fs.copyToLocalFile(false, new Path(path.getParent(), f), new Path(dir.resolve(f).toUri()), true);
          }
          dir.toFile().deleteOnExit();
          a = ModelArtifact.of(location, bytes, model, null);
        }
        if (!a.externalDataFiles().isEmpty()) {
          a = a.withExternalData(a.localFile().get().getParent());
        }
      }
      Path side = new Path(path.toString() + ".json");
      if (a.kind() != ModelKind.TENSORRT_PLAN || !fs.exists(side)) {
        return a;
      }
      PlanMetadata sidecar = PlanMetadata.parse(new String(readAll(fs, side, side.toString()),
          java.nio.charset.StandardCharsets.UTF_8), side.toString());
      return a.fileOnly() ? ModelArtifact.ofLargeFile(location, local, sidecar)
          : ModelArtifact.of(location, a.bytes(), local, sidecar);
    } catch (IOException e) {
      throw new EngineException("cannot read model " + location + ": " + e.getMessage(), e);
    }
  }

  /**
   * The FileSystem for {@code path}; for local files the raw one, without Hadoop's {@code .crc} side
   * files (a model edited or replaced by other tools would otherwise fail its stale checksum).
   */
  public static FileSystem fileSystem(Path path, Configuration hadoopConf) throws IOException {
    FileSystem fs;
    try {
      fs = path.getFileSystem(hadoopConf);
    } catch (IOException | RuntimeException e) {
      String hint = missingFileSystemHint(path, e);
      if (hint != null) {
        throw new EngineException(hint, e);
      }
      throw e;
    }
    return fs instanceof LocalFileSystem ? ((LocalFileSystem) fs).getRawFileSystem() : fs;
  }

  /**
   * What to add when Hadoop has no FileSystem class for a path's scheme (its jar is not on the
   * classpath), or null when that is not the problem.
   */
  static String missingFileSystemHint(Path path, Throwable e) {
    boolean missing = false;
    for (Throwable t = e; t != null; t = t.getCause()) {
      missing |= t instanceof ClassNotFoundException || t instanceof org.apache.hadoop.fs.UnsupportedFileSystemException;
    }
    String scheme = path.toUri().getScheme();
    if (!missing || scheme == null) {
      return null;
    }
    String hadoop = org.apache.hadoop.util.VersionInfo.getVersion();
    String jars;
    switch (scheme) {
      case "s3a":
        jars = "org.apache.hadoop:hadoop-aws:" + hadoop + " and the AWS SDK bundle it names (software.amazon.awssdk:bundle)";
        break;
      case "abfs":
      case "abfss":
      case "wasb":
      case "wasbs":
        jars = "org.apache.hadoop:hadoop-azure:" + hadoop;
        break;
      case "gs":
        jars = "com.google.cloud.bigdataoss:gcs-connector (the hadoop3 shaded jar)";
        break;
      case "oss":
        jars = "org.apache.hadoop:hadoop-aliyun:" + hadoop;
        break;
      default:
        jars = "the jar of a Hadoop FileSystem for scheme '" + scheme + "'";
    }
    return "no Hadoop FileSystem for " + scheme + ":// on the classpath (" + e.getMessage() + "); add " + jars
        + " (spark-submit --packages ..., or --jars)";
  }

  /** A Hadoop path for a URI or a bare local path. */
  public static Path toPath(String location) {
    if (location == null || location.isBlank()) {
      throw new EngineException("no model location given");
    }
    URI uri;
    try {
      uri = new URI(location);
    } catch (java.net.URISyntaxException e) {
      uri = null;
    }
    if (uri != null && "file".equals(uri.getScheme()) && (uri.isOpaque() || uri.getPath() == null)) {
      // file:relative/path: a local path relative to the working directory
      return new Path("file", null, Paths.get(uri.getSchemeSpecificPart()).toAbsolutePath().normalize().toString());
    }
    if (uri == null || uri.getScheme() == null || uri.getScheme().length() == 1) {
      // not Path.toUri(): it ends existing directories with '/', and then getName() is empty
      return new Path("file", null, Paths.get(location).toAbsolutePath().normalize().toString());
    }
    return new Path(uri);
  }

  private static FileStatus status(FileSystem fs, Path path, String shown) throws IOException {
    FileStatus status;
    try {
      status = fs.getFileStatus(path);
    } catch (FileNotFoundException e) {
      throw new EngineException("model file not found: " + shown + " (resolved to " + path + ")");
    }
    if (status.isDirectory()) {
      throw new EngineException(shown + " is a directory, not a model file");
    }
    return status;
  }

  private static byte[] readAll(FileSystem fs, Path path, String shown) throws IOException {
    FileStatus status = status(fs, path, shown);
    if (status.getLen() > ModelArtifact.MAX_ARRAY_BYTES) {
      throw new EngineException(shown + " is " + status.getLen() + " bytes, more than a Java array holds");
    }
    byte[] bytes = new byte[(int) status.getLen()];
    try (FSDataInputStream in = fs.open(path)) {
      in.readFully(0, bytes);
    }
    return bytes;
  }

}
