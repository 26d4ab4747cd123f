package dev.trtspark.spark;

import dev.trtspark.spark.sql.TrtPredict;
import dev.trtspark.spark.sql.TrtSql;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.expressions.Expression;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Inference as a SQL function of its own name: {@code TrtFunctions.register(spark, "digits", inference)}
 * then {@code SELECT id, digits(features) AS probs FROM t} (or {@code trt_predict('digits', features)}).
 * Arguments are the model's inputs in the order of the inference's input bindings; the result is the
 * output column, or a struct of them for several.
 *
 * <p>The call is a {@link TrtPredict}: it runs in the same batched operator as {@link TrtInference#transform}
 * and {@link TrtInference#predict} (batches, overlap, the same checks, bad-row policy and metrics), never
 * row by row.
 */
public final class TrtFunctions {
  private TrtFunctions() {}

  /** Registers {@code name} as a SQL function of this session running {@code inference}. */
  public static void register(SparkSession spark, String name, TrtInference inference) {
    TrtSql.register(spark, name, inference);
    List<Integer> perInput = new ArrayList<>();
    inference.inputTensors().forEach(t -> perInput.add(1));
    ((org.apache.spark.sql.classic.SparkSession) spark).sessionState().functionRegistry().createOrReplaceTempFunction(
        name, args -> {
          List<Expression> a = CollectionConverters.asJava(args);
          return new TrtPredict(name, inference, args, perInput, TrtPredict.namesOf(a));
        }, "scala_udf");
  }
}
