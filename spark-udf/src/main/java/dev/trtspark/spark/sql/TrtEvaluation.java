package dev.trtspark.spark.sql;

import java.util.Objects;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.AttributeSet;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import scala.collection.immutable.Seq;

/**
 * The logical operator {@link TrtRules} makes of a {@link TrtPredict}: its child's columns {@code pass}
 * (only those the plan above needs) followed by the model's outputs {@code results}, one attribute per
 * output binding. The predict's arguments are columns of the child. Planned as {@link TrtEvaluationExec}.
 */
public final class TrtEvaluation extends LogicalPlan {
  private final Evaluated e;
  private final LogicalPlan child;

  public TrtEvaluation(TrtPredict predict, Seq<Attribute> results, Seq<Attribute> pass, LogicalPlan child) {
    this.e = new Evaluated(predict, results, pass);
    this.child = child;
  }

  public TrtPredict predict() {
    return e.predict();
  }

  public Seq<Attribute> results() {
    return e.results();
  }

  public Seq<Attribute> pass() {
    return e.pass();
  }

  public LogicalPlan child() {
    return child;
  }

  @Override
  public Seq<LogicalPlan> children() {
    return Scala.seq(java.util.List.of(child));
  }

  @Override
  public LogicalPlan withNewChildrenInternal(scala.collection.immutable.IndexedSeq<LogicalPlan> newChildren) {
    return new TrtEvaluation(e.predict(), e.results(), e.pass(), newChildren.apply(0));
  }

  @Override
  public String simpleString(int maxFields) {
    return e.describe();
  }

  /** The same operator carrying {@code newPass} only. */
  public TrtEvaluation withPass(Seq<Attribute> newPass) {
    return new TrtEvaluation(e.predict(), e.results(), newPass, child);
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
  public int productArity() {
    return 4;
  }

  @Override
  public Object productElement(int n) {
    return e.element(n, child);
  }

  @Override
  public boolean canEqual(Object that) {
    return that instanceof TrtEvaluation;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TrtEvaluation other && e.equals(other.e) && child.equals(other.child);
  }

  @Override
  public int hashCode() {
    return Objects.hash(e, child);
  }
}
