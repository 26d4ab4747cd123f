package dev.trtspark.spark.sql;

import java.util.Objects;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.AttributeSet;
import org.apache.spark.sql.execution.SparkPlan;
import scala.collection.immutable.IndexedSeq;
import scala.collection.immutable.Seq;

/**
 * The physical operator of a {@link TrtEvaluation}: runs the task's partition through the batched
 * executor path (one engine lease and slot per task, batches in flight, the outputs appended to the
 * needed columns of each row). Under a columnar scan it reads the scan's column batches directly. Its
 * {@code explain()} line names the model, its URI and the batch size.
 */
public final class TrtEvaluationExec extends SparkPlan {
  private final TrtPredict predict;
  private final Seq<Attribute> results;
  private final Seq<Attribute> pass;
  private final SparkPlan child;

  public TrtEvaluationExec(TrtPredict predict, Seq<Attribute> results, Seq<Attribute> pass, SparkPlan child) {
    this.predict = predict;
    this.results = results;
    this.pass = pass;
    this.child = child;
  }

  public SparkPlan child() {
    return child;
  }

  @Override
  public Seq<SparkPlan> children() {
    return Scala.seq(java.util.List.of(child));
  }

  @Override
  public SparkPlan withNewChildrenInternal(IndexedSeq<SparkPlan> newChildren) {
    return new TrtEvaluationExec(predict, results, pass, newChildren.apply(0));
  }

  @Override
  public Seq<Attribute> output() {
    java.util.List<Attribute> out = Scala.list(pass);
    out.addAll(Scala.list(results));
    return Scala.seq(out);
  }

  @Override
  public AttributeSet producedAttributes() {
    return AttributeSet.apply(Scala.<org.apache.spark.sql.catalyst.expressions.Expression>seq(Scala.list(results)));
  }

  @Override
  public RDD<InternalRow> doExecute() {
    return TrtOperator.execute(predict, results, pass, child);
  }

  @Override
  public String simpleString(int maxFields) {
    return "TrtEvaluation " + TrtOperator.describe(predict, results, pass);
  }

  @Override
  public int productArity() {
    return 4;
  }

  @Override
  public Object productElement(int n) {
    return switch (n) {
      case 0 -> predict;
      case 1 -> results;
      case 2 -> pass;
      case 3 -> child;
      default -> throw new IndexOutOfBoundsException(n);
    };
  }

  @Override
  public boolean canEqual(Object that) {
    return that instanceof TrtEvaluationExec;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TrtEvaluationExec e && predict.equals(e.predict) && results.equals(e.results)
        && pass.equals(e.pass) && child.equals(e.child);
  }

  @Override
  public int hashCode() {
    return Objects.hash(predict, results, pass, child);
  }
}
