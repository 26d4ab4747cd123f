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
  private final Evaluated e;
  private final SparkPlan child;

  public TrtEvaluationExec(TrtPredict predict, Seq<Attribute> results, Seq<Attribute> pass, SparkPlan child) {
    this.e = new Evaluated(predict, results, pass);
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
    return new TrtEvaluationExec(e.predict(), e.results(), e.pass(), newChildren.apply(0));
  }

  @Override
  public Seq<Attribute> output() {
    return e.output();
  }

  @Override
  public AttributeSet producedAttributes() {
    return e.produced();
  }

  @Override
  public RDD<InternalRow> doExecute() {
    return TrtOperator.execute(e.predict(), e.results(), e.pass(), child);
  }

  @Override
  public String simpleString(int maxFields) {
    return e.describe();
  }

  @Override
  public int productArity() {
    return 4;
  }

  @Override
  public Object productElement(int n) {
    return e.element(n, child);
  }

  @Override
  public boolean canEqual(Object that) {
    return that instanceof TrtEvaluationExec;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TrtEvaluationExec other && e.equals(other.e) && child.equals(other.child);
  }

  @Override
  public int hashCode() {
    return Objects.hash(e, child);
  }
}
