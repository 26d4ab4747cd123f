package dev.trtspark.spark.sql;

import java.util.List;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.AttributeSet;
import org.apache.spark.sql.catalyst.expressions.Expression;
import scala.collection.immutable.Seq;

/**
 * What the logical {@link TrtEvaluation} and the physical {@link TrtEvaluationExec} both are: a prediction,
 * its result columns and the input columns passed on, with the output, produced attributes, product
 * elements and explain text they share. Immutable.
 */
record Evaluated(TrtPredict predict, Seq<Attribute> results, Seq<Attribute> pass) implements java.io.Serializable {
  /** The pass-through columns, then the results. */
  Seq<Attribute> output() {
    List<Attribute> out = Scala.list(pass);
    out.addAll(Scala.list(results));
    return Scala.seq(out);
  }

  AttributeSet produced() {
    return AttributeSet.apply(Scala.<Expression>seq(Scala.list(results)));
  }

  /** Product element {@code n} of a node holding this and {@code child} (constructor order). */
  Object element(int n, Object child) {
    return switch (n) {
      case 0 -> predict;
      case 1 -> results;
      case 2 -> pass;
      case 3 -> child;
      default -> throw new IndexOutOfBoundsException(n);
    };
  }

  String describe() {
    return "TrtEvaluation " + TrtOperator.describe(predict, results, pass);
  }
}
