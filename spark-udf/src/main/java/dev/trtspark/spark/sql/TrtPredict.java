package dev.trtspark.spark.sql;

import dev.trtspark.spark.TrtInference;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.analysis.TypeCheckResult;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.codegen.CodegenContext;
import org.apache.spark.sql.catalyst.expressions.codegen.ExprCode;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;
import scala.collection.immutable.IndexedSeq;
import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;

/**
 * {@code trt_predict('digits', features)}: one inference applied to its arguments (the model's inputs in
 * binding order; an input bound to several columns takes that many arguments). Never evaluated row by
 * row: {@link TrtRules} pulls it out of the plan into a {@link TrtEvaluation}, whose physical operator
 * runs the batched executor path. Its type is known at analysis (the output column, or a struct of them
 * for several outputs), and {@link #checkInputDataTypes()} names the argument and what its tensor takes.
 *
 * <p>Non-deterministic to Catalyst on purpose: the optimizer must not copy it into a pushed-down filter or
 * a collapsed projection, which would run the model twice.
 *
 * <p>Immutable. The {@link TrtInference} is driver-side; executors receive what the operator derives from it.
 * {@code Unevaluable} to Catalyst, so no rule tries to compute it on the driver (a local relation).
 */
public final class TrtPredict extends Expression
    implements org.apache.spark.sql.catalyst.expressions.Unevaluable, java.io.Serializable {
  private static final long serialVersionUID = 1L;
  private final String model;
  /** Driver-side only: a physical plan may be serialized with a task (never run there). */
  private final transient TrtInference inference;
  private final Seq<Expression> args;
  private final List<Integer> columnsPerInput;
  private final List<String> names;

  /**
   * @param model the name the query used (for explain and messages)
   * @param columnsPerInput how many arguments each input binding takes, in binding order
   * @param names what each argument is called in messages (the column the user gave), kept when the
   *     optimizer later replaces a column by the expression that computes it
   */
  public TrtPredict(String model, TrtInference inference, Seq<Expression> args, List<Integer> columnsPerInput,
      List<String> names) {
    this.model = model;
    this.inference = inference;
    this.args = args;
    this.columnsPerInput = List.copyOf(columnsPerInput);
    this.names = List.copyOf(names);
  }

  /** The names of {@code args} as the user wrote them: a column's name, else the expression's text. */
  public static List<String> namesOf(List<Expression> args) {
    List<String> names = new ArrayList<>();
    for (Expression e : args) {
      names.add(e instanceof org.apache.spark.sql.catalyst.expressions.NamedExpression n ? n.name() : text(e));
    }
    return names;
  }

  public String model() {
    return model;
  }

  public TrtInference inference() {
    return inference;
  }

  public List<Integer> columnsPerInput() {
    return columnsPerInput;
  }

  /** The output columns: one field per output binding, named after it. */
  public StructType outputs() {
    return inference.outputSchema();
  }

  @Override
  public Seq<Expression> children() {
    return args;
  }

  @Override
  public Expression withNewChildrenInternal(IndexedSeq<Expression> newChildren) {
    return new TrtPredict(model, inference, newChildren.toSeq(), columnsPerInput, names);
  }

  @Override
  public boolean nullable() {
    return true;
  }

  @Override
  public DataType dataType() {
    StructType out = outputs();
    return out.size() == 1 ? out.fields()[0].dataType() : out;
  }

  @Override
  public boolean deterministic() {
    return false;
  }

  @Override
  public boolean foldable() {
    return false;
  }

  @Override
  public TypeCheckResult checkInputDataTypes() {
    int expected = columnsPerInput.stream().mapToInt(Integer::intValue).sum();
    if (args.size() != expected) {
      return new TypeCheckResult.TypeCheckFailure("trt_predict('" + model + "') takes " + expected + " argument"
          + (expected == 1 ? "" : "s") + " after the model name (" + inference.inputTensors() + "), got " + args.size());
    }
    try {
      inference.checkArguments(argumentNames(), argumentTypes(), columnsPerInput);
      return TypeCheckResult.TypeCheckSuccess$.MODULE$;
    } catch (IllegalArgumentException e) {
      return new TypeCheckResult.TypeCheckFailure("trt_predict('" + model + "'): " + e.getMessage());
    }
  }

  private static String text(Expression e) {
    try {
      return e.resolved() ? e.sql() : e.toString();
    } catch (RuntimeException notPrintable) {
      return e.toString();
    }
  }

  /** What each argument is called in messages. */
  List<String> argumentNames() {
    return names;
  }

  List<DataType> argumentTypes() {
    List<DataType> types = new ArrayList<>();
    CollectionConverters.asJava(args).forEach(e -> types.add(e.dataType()));
    return types;
  }

  @Override
  public Object eval(InternalRow input) {
    throw notHere();
  }

  @Override
  public ExprCode doGenCode(CodegenContext ctx, ExprCode ev) {
    throw notHere();
  }

  private UnsupportedOperationException notHere() {
    return new UnsupportedOperationException("trt_predict('" + model + "') runs in its own batched operator, not row by "
        + "row; it is supported in SELECT lists and WHERE conditions (compute it in a subquery for other places)");
  }

  @Override
  public String prettyName() {
    return "trt_predict";
  }

  @Override
  public String toString() {
    return "trt_predict(" + model + ", " + args.mkString(", ") + ")";
  }

  @Override
  public String sql() {
    return "trt_predict('" + model + "', " + args.map(Expression::sql).mkString(", ") + ")";
  }

  @Override
  public int productArity() {
    return 5;
  }

  @Override
  public Object productElement(int n) {
    return switch (n) {
      case 0 -> model;
      case 1 -> inference;
      case 2 -> args;
      case 3 -> columnsPerInput;
      case 4 -> names;
      default -> throw new IndexOutOfBoundsException(n);
    };
  }

  @Override
  public boolean canEqual(Object that) {
    return that instanceof TrtPredict;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TrtPredict p && model.equals(p.model) && inference == p.inference && args.equals(p.args)
        && columnsPerInput.equals(p.columnsPerInput) && names.equals(p.names);
  }

  @Override
  public int hashCode() {
    return Objects.hash(model, System.identityHashCode(inference), args, columnsPerInput);
  }
}
