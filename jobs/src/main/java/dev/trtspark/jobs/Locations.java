package dev.trtspark.jobs;

import dev.trtspark.engine.EngineException;
import dev.trtspark.engine.model.ArtifactLoader;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Where a command reads and writes: locations (URIs, bare paths, globs) as Hadoop paths, and the
 * check that keeps {@code --overwrite} from destroying what the job reads. Stateless.
 */
final class Locations {
  private Locations() {}

  static Path path(String location) {
    return ArtifactLoader.toPath(location);
  }

  /** The path's FileSystem; a missing FileSystem jar is a usage error that names the jar. */
  static FileSystem fs(Path path, Configuration conf) throws IOException {
    try {
      return ArtifactLoader.fileSystem(path, conf);
    } catch (EngineException e) {
      throw new Errors.UsageException(e.getMessage());
    }
  }

  /**
   * What an input location matches: itself, or for a glob ({@code part-0000[01]*.parquet}) every
   * match, as Spark reads them.
   *
   * @throws Errors.UsageException when nothing exists there
   */
  static List<Path> inputs(String location, Configuration conf) throws IOException {
    Path p = path(location);
    FileSystem fs = fs(p, conf);
    FileStatus[] found = fs.globStatus(p);
    if (found == null || found.length == 0) {
      throw new Errors.UsageException("input not found: " + location + (p.toUri().getPath().equals(location) ? ""
          : " (resolved to " + p + ")"));
    }
    List<Path> out = new ArrayList<>();
    for (FileStatus s : found) {
      out.add(s.getPath());
    }
    return out;
  }

  /**
   * Refuses an output that is, contains or lies inside any of {@code read} (inputs, the model), after
   * resolving symbolic links of local paths and qualifying URIs: replacing it would delete what the job
   * reads, or the job would read what it writes.
   *
   * @param what for each entry of {@code read}, what it is ("--input", "--model")
   */
  static void checkOutput(String output, Configuration conf, List<Path> read, List<String> what) throws IOException {
    Path out = real(path(output), conf);
    for (int i = 0; i < read.size(); i++) {
      Path r = real(read.get(i), conf);
      String relation = out.equals(r) ? "is" : inside(r, out) ? "contains" : inside(out, r) ? "lies inside" : null;
      if (relation != null) {
        throw new Errors.UsageException("--output " + output + " " + relation + " " + what.get(i) + " " + read.get(i)
            + (out.equals(path(output)) && r.equals(read.get(i)) ? "" : " (after resolving links: " + out + " and " + r + ")")
            + "; writing there would " + (relation.equals("lies inside") ? "put the result inside what the job reads"
                : "delete what the job reads") + ": write somewhere else");
      }
    }
  }

  /** Whether {@code inner} lies strictly inside {@code outer}. */
  private static boolean inside(Path inner, Path outer) {
    URI a = inner.toUri();
    URI b = outer.toUri();
    if (!same(a.getScheme(), b.getScheme()) || !same(a.getAuthority(), b.getAuthority())) {
      return false;
    }
    String o = b.getPath().endsWith("/") ? b.getPath() : b.getPath() + "/";
    return a.getPath().startsWith(o);
  }

  private static boolean same(String x, String y) {
    return x == null ? y == null : x.equalsIgnoreCase(y);
  }

  /**
   * A qualified path with, for local files, symbolic links resolved (of the deepest part that exists:
   * an output usually does not exist yet).
   */
  static Path real(Path p, Configuration conf) throws IOException {
    FileSystem fs = fs(p, conf);
    Path q = fs.makeQualified(p);
    if (!"file".equals(q.toUri().getScheme())) {
      return q;
    }
    java.nio.file.Path local = Paths.get(q.toUri().getPath());
    java.nio.file.Path rest = Paths.get("");
    while (local != null && !Files.exists(local, LinkOption.NOFOLLOW_LINKS)) {
      rest = local.getFileName().resolve(rest);
      local = local.getParent();
    }
    if (local == null) {
      return q;
    }
    java.nio.file.Path resolved = local.toRealPath().resolve(rest).normalize();
    return new Path("file", null, resolved.toString());
  }
}
