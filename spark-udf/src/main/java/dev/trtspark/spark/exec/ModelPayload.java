package dev.trtspark.spark.exec;

import java.io.Serializable;

/**
 * What is broadcast for a model: the job's Hadoop configuration (the session's, with its
 * {@code spark.hadoop.*} settings: executors read the model, its data files and the plan cache with it),
 * and when the model is small enough its bytes and, for plans, the sidecar's JSON ({@code bytes} null
 * otherwise: executors read it from its URI).
 */
public record ModelPayload(byte[] bytes, String sidecarJson, org.apache.spark.util.SerializableConfiguration hadoop)
    implements Serializable {
  /** The job's Hadoop configuration, as the driver had it. */
  public org.apache.hadoop.conf.Configuration hadoopConf() {
    return hadoop.value();
  }
}
