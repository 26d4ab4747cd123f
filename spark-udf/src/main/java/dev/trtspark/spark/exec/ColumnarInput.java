package dev.trtspark.spark.exec;

import java.util.Optional;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.NamedExpression;
import org.apache.spark.sql.execution.ColumnarToRowExec;
import org.apache.spark.sql.execution.InputAdapter;
import org.apache.spark.sql.execution.ProjectExec;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.WholeStageCodegenExec;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import scala.collection.immutable.Seq;

/**
 * The columnar batches under a plan, when the plan is a columnar source (a vectorized Parquet or ORC
 * scan, a columnar cache) behind Spark's {@code ColumnarToRow}, optionally under a selection of its
 * columns: then inference reads the source's batches instead of the rows Spark would build from them
 * value by value. Every other plan shape (filters, computed columns, exchanges, row-based caches) is
 * {@link Optional#empty()} and runs on rows.
 *
 * @param source the columnar plan
 * @param ordinals for each column of the matched plan's output, its position in the source's batches
 */
public record ColumnarInput(SparkPlan source, int[] ordinals) {

  /** The match for {@code plan} (an executed plan), if it has the shape above. */
  public static Optional<ColumnarInput> find(SparkPlan plan) {
    SparkPlan p = plan instanceof WholeStageCodegenExec w ? w.child() : plan;
    Seq<Attribute> wanted = plan.output();
    if (p instanceof ProjectExec project) {
      Seq<NamedExpression> list = project.projectList();
      for (int i = 0; i < list.size(); i++) {
        if (!(list.apply(i) instanceof Attribute)) {
          return Optional.empty(); // a computed column: rows
        }
      }
      p = project.child();
    }
    if (!(p instanceof ColumnarToRowExec c2r)) {
      return Optional.empty();
    }
    SparkPlan source = c2r.child() instanceof InputAdapter a ? a.child() : c2r.child();
    if (!source.supportsColumnar()) {
      return Optional.empty();
    }
    Seq<Attribute> have = source.output();
    int[] ordinals = new int[wanted.size()];
    for (int i = 0; i < ordinals.length; i++) {
      ordinals[i] = -1;
      for (int j = 0; j < have.size(); j++) {
        if (have.apply(j).exprId().equals(wanted.apply(i).exprId())) {
          ordinals[i] = j;
        }
      }
      if (ordinals[i] < 0) {
        return Optional.empty();
      }
    }
    return Optional.of(new ColumnarInput(source, ordinals));
  }

  /** The source's schema: what its batches hold. */
  public StructType schema() {
    return source.schema();
  }

  public RDD<ColumnarBatch> execute() {
    return source.executeColumnar();
  }
}
