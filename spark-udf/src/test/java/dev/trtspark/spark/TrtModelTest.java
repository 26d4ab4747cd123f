package dev.trtspark.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.trtspark.testing.Digits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ML Transformer: params, Pipeline use and persistence by reference and with the model embedded. */
class TrtModelTest {
  private final SparkSession spark = SparkTestSession.get();

  @TempDir
  Path tmp;

  private Dataset<Row> digits() {
    return spark.read().parquet(Digits.parquet().toString());
  }

  private static long correct(Dataset<Row> scored) {
    return scored.filter("array_position(probs, array_max(probs)) - 1 = label").count();
  }

  private TrtModel model(String modelPath) {
    return new TrtModel().setModel(modelPath).setInputs("features=features").setOutputs("probs=probs")
        .setOptions("batchSize=128;badRowPolicy=fail");
  }

  @Test
  void transformerScoresLikeTheDataFrameApi() {
    TrtModel m = model(Digits.onnx().toString());
    assertEquals("struct<id:bigint,label:int,split:string,probs:array<float>>",
        m.transformSchema(digits().schema()).simpleString());
    assertEquals(1781, correct(m.transform(digits())));
  }

  @Test
  void worksInsideAPipelineAndRoundTripsByReference() throws Exception {
    PipelineModel fitted = new Pipeline().setStages(new PipelineStage[] {model(Digits.onnx().toString())})
        .fit(digits());
    String path = tmp.resolve("by-reference").toString();
    fitted.write().overwrite().save(path);
    assertTrue(!Files.exists(tmp.resolve("by-reference/stages/0_" + fitted.stages()[0].uid() + "/model")),
        "no model copy when embedModel=false");
    PipelineModel loaded = PipelineModel.load(path);
    TrtModel stage = (TrtModel) loaded.stages()[0];
    assertEquals(Digits.onnx().toString(), stage.getOrDefault(stage.model()));
    assertEquals("batchSize=128;badRowPolicy=fail", stage.getOrDefault(stage.options()));
    assertEquals(1781, correct(loaded.transform(digits())));
  }

  @Test
  void embeddedModelMakesTheSavedPipelineSelfContained() throws Exception {
    Path copy = tmp.resolve("digits-copy.onnx");
    Files.copy(Digits.onnx(), copy);
    TrtModel m = model(copy.toString()).setEmbedModel(true);
    String path = tmp.resolve("embedded").toString();
    new PipelineModel("p", List.of(m).toArray(new org.apache.spark.ml.Transformer[0])).write().save(path);
    Files.delete(copy);
    PipelineModel loaded = PipelineModel.load(path);
    TrtModel stage = (TrtModel) loaded.stages()[0];
    assertTrue(stage.getOrDefault(stage.model()).endsWith("/model/digits-copy.onnx"), stage.getOrDefault(stage.model()));
    assertEquals(1781, correct(loaded.transform(digits())));
  }

  @Test
  void directSaveAndLoadKeepTheUidAndParams() throws Exception {
    TrtModel m = model(Digits.onnx().toString());
    String path = tmp.resolve("direct").toString();
    m.write().save(path);
    TrtModel back = TrtModel.load(path);
    assertEquals(m.uid(), back.uid());
    assertEquals("features=features", back.getOrDefault(back.inputs()));
    assertEquals(false, back.getOrDefault(back.embedModel()));
  }
}
