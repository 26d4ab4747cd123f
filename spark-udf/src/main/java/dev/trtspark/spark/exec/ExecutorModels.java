package dev.trtspark.spark.exec;

import dev.trtspark.conf.ModelRef;
import dev.trtspark.engine.EngineException;
import dev.trtspark.engine.model.ArtifactLoader;
import dev.trtspark.engine.model.ModelArtifact;
import dev.trtspark.engine.model.PlanMetadata;
import java.lang.ref.SoftReference;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.broadcast.Broadcast;

/**
 * Model artifacts on an executor, by sha256: taken from the job's broadcast when it carries the bytes, else
 * read from the model's URI with the job's Hadoop configuration, and checked against the sha256 the driver
 * planned with. Kept softly, so that the
 * bytes of a model whose engine is loaded can be collected under memory pressure (and read again only if
 * the engine itself was evicted). Threading: thread-safe.
 */
public final class ExecutorModels {
  private static final ConcurrentHashMap<String, SoftReference<ModelArtifact>> MODELS = new ConcurrentHashMap<>();

  private ExecutorModels() {}

  public static ModelArtifact get(ModelRef ref, Broadcast<ModelPayload> payload) {
    SoftReference<ModelArtifact> held = MODELS.get(ref.sha256());
    ModelArtifact a = held == null ? null : held.get();
    if (a != null) {
      return a;
    }
    synchronized (ExecutorModels.class) {
      held = MODELS.get(ref.sha256());
      a = held == null ? null : held.get();
      if (a == null) {
        a = fetch(ref, payload);
        MODELS.put(ref.sha256(), new SoftReference<>(a));
      }
      return a;
    }
  }

  private static ModelArtifact fetch(ModelRef ref, Broadcast<ModelPayload> payload) {
    ModelArtifact a;
    ModelPayload p = payload.value();
    if (p.bytes() != null) {
      a = ModelArtifact.of(ref.uri(), p.bytes(),
          p.sidecarJson() == null ? null : PlanMetadata.parse(p.sidecarJson(), ref.uri() + ".json (broadcast)"))
          .withHadoopConf(p.hadoopConf());
    } else {
      // with the job's Hadoop configuration, not a fresh one: an HDFS nameservice or object-store
      // credentials set as spark.hadoop.* live only there
      a = ArtifactLoader.load(ref.uri(), p.hadoopConf());
    }
    if (!a.sha256().equals(ref.sha256())) {
      throw new EngineException("model " + ref.uri() + " changed after the job was planned: its sha256 is " + a.sha256()
          + " on this executor, the driver planned with " + ref.sha256() + "; keep models immutable while jobs run");
    }
    return a;
  }
}
