package dev.trtspark.spark.sql;

import dev.trtspark.conf.TrtConf;
import dev.trtspark.spark.TrtInference;
import dev.trtspark.spark.exec.ColumnarInput;
import dev.trtspark.spark.exec.PartitionInference;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.types.DataTypeUtils;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.types.StructType;
import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;

/** What {@link TrtEvaluationExec} runs and prints, kept apart from the Catalyst plumbing. */
final class TrtOperator {
  private TrtOperator() {}

  static RDD<InternalRow> execute(TrtPredict predict, Seq<Attribute> results, Seq<Attribute> pass, SparkPlan child) {
    List<Attribute> in = CollectionConverters.asJava(child.output());
    StructType schema = DataTypeUtils.fromAttributes(child.output());
    List<Expression> argList = CollectionConverters.asJava(predict.children());
    int[] args = new int[argList.size()];
    for (int i = 0; i < args.length; i++) {
      args[i] = ordinal(in, (Attribute) argList.get(i));
    }
    List<Attribute> passList = CollectionConverters.asJava(pass);
    int[] passOrdinals = new int[passList.size()];
    for (int i = 0; i < passOrdinals.length; i++) {
      passOrdinals[i] = ordinal(in, passList.get(i));
    }
    List<String> resultNames = new ArrayList<>();
    CollectionConverters.asJava(results).forEach(a -> resultNames.add(a.name()));
    TrtInference inference = predict.inference();
    PartitionInference plan = inference.operatorPlan(schema, predict.argumentNames(), args, predict.columnsPerInput(),
        passOrdinals, resultNames);
    Optional<ColumnarInput> columnar = inference.spec().config().get(TrtConf.COLUMNAR_INPUT)
        ? ColumnarInput.find(child) : Optional.empty();
    if (columnar.isPresent()) {
      int[] at = columnar.get().ordinals();
      PartitionInference onBatches = new PartitionInference(plan.spec(), plan.payload(), plan.metrics(),
          columnar.get().schema(), plan.sources(), IntStream.of(args).map(i -> at[i]).toArray(),
          IntStream.of(passOrdinals).map(i -> at[i]).toArray(), plan.outputs());
      return columnar.get().execute().toJavaRDD().mapPartitionsWithIndex(onBatches.batches(), true).rdd();
    }
    return child.execute().toJavaRDD().mapPartitionsWithIndex(plan.rows(), true).rdd();
  }

  private static int ordinal(List<Attribute> in, Attribute a) {
    for (int i = 0; i < in.size(); i++) {
      if (in.get(i).exprId().equals(a.exprId())) {
        return i;
      }
    }
    throw new IllegalStateException("column " + a + " is not among the operator's input " + in);
  }

  /** "model digits.onnx (file:/m/digits.onnx), batchSize 256, outputs [probs#12], pass [id#1]". */
  static String describe(TrtPredict predict, Seq<Attribute> results, Seq<Attribute> pass) {
    TrtInference inference = predict.inference();
    return "model " + predict.model() + " (" + inference.spec().model().uri() + "), batchSize "
        + inference.spec().config().get(TrtConf.BATCH_SIZE) + ", inputs " + predict.children().mkString("[", ", ", "]")
        + ", outputs " + results.mkString("[", ", ", "]") + ", pass " + pass.mkString("[", ", ", "]");
  }
}
