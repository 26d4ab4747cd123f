package dev.trtspark.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.trtspark.engine.model.ArtifactLoader;
import dev.trtspark.engine.model.ModelArtifact;
import dev.trtspark.engine.model.ModelKind;
import dev.trtspark.engine.ort.OrtBackend;
import dev.trtspark.testing.Digits;
import dev.trtspark.testing.TestModels;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Models on a real (in-process) HDFS: the same bytes, sha256 and engine as from local disk. */
class HdfsArtifactTest {
  @TempDir
  static Path base;
  private static MiniDFSCluster cluster;
  private static Configuration conf;
  private static String root;

  @BeforeAll
  static void startHdfs() throws Exception {
    conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, base.toString());
    cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
    cluster.waitActive();
    FileSystem fs = cluster.getFileSystem();
    root = fs.getUri().toString();
    fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(Digits.onnx().toString()),
        new org.apache.hadoop.fs.Path("/models/digits.onnx"));
    for (String f : new String[] {"affine_external.onnx", "affine_external.onnx.data"}) {
      fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(TestModels.path(f).toString()),
          new org.apache.hadoop.fs.Path("/models/" + f));
    }
  }

  @Test
  void aModelWithExternalDataOnHdfsArrivesWithItsDataAndRuns() throws Exception {
    ModelArtifact remote = ArtifactLoader.load(root + "/models/affine_external.onnx", conf);
    assertEquals(java.util.Set.of("affine_external.onnx.data"), remote.externalDataFiles());
    assertEquals(ArtifactLoader.load(TestModels.path("affine_external.onnx").toString()).sha256(), remote.sha256(),
        "the same identity (model and data files) as the local copy");
    try (var engine = new OrtBackend().load(remote, -1, BackendConformance.config()); var slot = engine.newSlot(1)) {
      java.nio.ByteBuffer y = BackendConformance.run(slot, java.util.Map.of("x", Fixtures.floats(new float[] {1, 2, 3, 4}, 1, 4)))
          .get("y");
      assertEquals(java.util.List.of(3f, 5f, 7f, 9f), java.util.List.of(y.order(java.nio.ByteOrder.nativeOrder()).getFloat(0),
          y.getFloat(4), y.getFloat(8), y.getFloat(12)));
    }
  }

  @AfterAll
  static void stopHdfs() {
    if (cluster != null) {
      cluster.shutdown();
    }
  }

  @Test
  void modelOnHdfsHasTheSameSha256AsTheLocalFile() {
    ModelArtifact remote = ArtifactLoader.load(root + "/models/digits.onnx", conf);
    ModelArtifact local = ArtifactLoader.load(Digits.onnx().toString());
    assertTrue(remote.uri().startsWith("hdfs://"), remote.uri());
    assertEquals(local.sha256(), remote.sha256());
    assertEquals(ModelKind.ONNX, remote.kind());
  }

  @Test
  void modelFromHdfsRunsAndClassifiesLikeTheLocalOne() throws Exception {
    ModelArtifact remote = ArtifactLoader.load(root + "/models/digits.onnx", conf);
    try (var engine = new OrtBackend().load(remote, -1, BackendConformance.config()); var slot = engine.newSlot(1)) {
      assertEquals(1781, new BackendConformance(new OrtBackend(), -1).digitsCorrect(slot));
    }
  }

  @Test
  void missingHdfsFileIsReportedWithItsUri() {
    EngineException e = assertThrows(EngineException.class, () -> ArtifactLoader.load(root + "/models/none.onnx", conf));
    assertTrue(e.getMessage().startsWith("model file not found: " + root + "/models/none.onnx"), e.getMessage());
  }
}
