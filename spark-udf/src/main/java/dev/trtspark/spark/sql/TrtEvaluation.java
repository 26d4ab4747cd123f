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
  private final TrtPredict predict;
  private final Seq<Attribute> results;
  private final Seq<Attribute> pass;
  private final LogicalPlan child;

  public TrtEvaluation(TrtPredict predict, Seq<Attribute> results, Seq<Attribute> pass, LogicalPlan child) {
    this.predict = predict;
    this.results = results;
    this.pass = pass;
    this.child = child;
  }

  public TrtPredict predict() {
    return predict;
  }

  public Seq<Attribute> results() {
    return results;
  }

  public Seq<Attribute> pass() {
    return pass;
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
    return new TrtEvaluation(predict, results, pass, newChildren.apply(0));
  }

  @Override
  public String simpleString(int maxFields) {
    return "TrtEvaluation " + TrtOperator.describe(predict, results, pass);
  }

  /** The same operator carrying {@code newPass} only. */
  public TrtEvaluation withPass(Seq<Attribute> newPass) {
    return new TrtEvaluation(predict, results, newPass, child);
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
    return that instanceof TrtEvaluation;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TrtEvaluation e && predict.equals(e.predict) && results.equals(e.results)
        && pass.equals(e.pass) && child.equals(e.child);
  }

  @Override
  public int hashCode() {
    return Objects.hash(predict, results, pass, child);
  }
}
