package dev.trtspark.spark;

import java.net.URI;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * Local files under the scheme {@code trtjob://}, known only where a job's Hadoop configuration
 * registers it ({@code fs.trtjob.impl}): stands for a setting a fresh {@code new Configuration()} on an
 * executor would not have (an HDFS nameservice, object-store credentials).
 */
public class JobOnlyFileSystem extends RawLocalFileSystem {
  @Override
  public String getScheme() {
    return "trtjob";
  }

  @Override
  public URI getUri() {
    return URI.create("trtjob:///");
  }
}
