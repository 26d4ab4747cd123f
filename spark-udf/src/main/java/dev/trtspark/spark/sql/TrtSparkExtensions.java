package dev.trtspark.spark.sql;

import org.apache.spark.sql.SparkSessionExtensions;
import org.apache.spark.sql.catalyst.FunctionIdentifier;
import scala.Tuple3;
import scala.runtime.AbstractFunction1;
import scala.runtime.BoxedUnit;

/**
 * {@code spark.sql.extensions=dev.trtspark.spark.sql.TrtSparkExtensions}: every session of the
 * application gets {@code trt_predict} with its optimizer rule and planner strategy, so SQL, PySpark and
 * Spark Connect clients reach the models named in the conf ({@code spark.trt.model.<name>.uri=...})
 * with no package of ours on their side.
 */
public final class TrtSparkExtensions extends AbstractFunction1<SparkSessionExtensions, BoxedUnit> {
  @Override
  public BoxedUnit apply(SparkSessionExtensions extensions) {
    extensions.injectFunction(new Tuple3<>(FunctionIdentifier.apply(TrtSql.FUNCTION), TrtSql.info(), TrtSql.builder()));
    extensions.injectOptimizerRule(session -> TrtRules.Extract.INSTANCE);
    extensions.injectPlannerStrategy(session -> TrtRules.Plan.INSTANCE);
    return BoxedUnit.UNIT;
  }
}
