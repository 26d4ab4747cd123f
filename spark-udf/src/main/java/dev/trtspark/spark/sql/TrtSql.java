package dev.trtspark.spark.sql;

import dev.trtspark.conf.NamedModels;
import dev.trtspark.spark.TrtInference;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.FunctionIdentifier;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.ExpressionInfo;
import scala.Function1;
import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Inference in SQL and as a {@code Column}, on one batched operator:
 * <pre>
 * spark.trt.model.digits.uri=hdfs:///models/digits.onnx          (or TrtSql.register(spark, "digits", inference))
 * SELECT id, trt_predict('digits', features) AS probs FROM t
 * </pre>
 * {@link TrtSparkExtensions} installs the function, the optimizer rule and the planner strategy in every
 * session ({@code spark.sql.extensions=dev.trtspark.spark.sql.TrtSparkExtensions}); {@link #install} does
 * the same for a running session (what {@link TrtInference#predict} and {@code transform} call).
 *
 * <p>Models by name: registered ones first, then those the session's conf declares
 * ({@link NamedModels}); each is built once per session (the model read and broadcast once).
 */
public final class TrtSql {
  /** The SQL function. */
  public static final String FUNCTION = "trt_predict";

  private static final Map<SparkSession, Map<String, TrtInference>> MODELS = new WeakHashMap<>();

  private TrtSql() {}

  /**
   * Installs {@code trt_predict}, the rule and the strategy in {@code spark}, once (idempotent; also
   * harmless where {@link TrtSparkExtensions} already did).
   */
  public static synchronized void install(SparkSession spark) {
    var classic = (org.apache.spark.sql.classic.SparkSession) spark;
    var registry = classic.sessionState().functionRegistry();
    // as a built-in, as SparkSessionExtensions registers injected functions
    FunctionIdentifier id = org.apache.spark.sql.catalyst.analysis.FunctionRegistry$.MODULE$
        .builtinFunctionIdentifier(FUNCTION);
    if (!registry.functionExists(id)) {
      registry.registerFunction(id, info(), builder());
    }
    var experimental = classic.experimental();
    if (!experimental.extraOptimizations().contains(TrtRules.Extract.INSTANCE)) {
      List<Object> rules = Scala.list(experimental.extraOptimizations());
      rules.add(TrtRules.Extract.INSTANCE);
      experimental.extraOptimizations_$eq(Scala.seq(rules));
    }
    if (!experimental.extraStrategies().contains(TrtRules.Plan.INSTANCE)) {
      List<Object> strategies = Scala.list(experimental.extraStrategies());
      strategies.add(TrtRules.Plan.INSTANCE);
      experimental.extraStrategies_$eq(Scala.seq(strategies));
    }
  }

  /**
   * Makes {@code inference} callable as {@code trt_predict('name', ...)} in {@code spark} (replacing an
   * earlier one of that name). The arguments are its input bindings' columns in binding order.
   */
  public static void register(SparkSession spark, String name, TrtInference inference) {
    install(spark);
    synchronized (MODELS) {
      MODELS.computeIfAbsent(spark, s -> new ConcurrentHashMap<>()).put(name, inference);
    }
  }

  /**
   * The inference called {@code name} in {@code spark}: registered, or declared in its conf (built on
   * first use, then kept).
   *
   * @throws IllegalArgumentException when neither names it
   */
  public static TrtInference model(SparkSession spark, String name) {
    Map<String, TrtInference> models;
    synchronized (MODELS) {
      models = MODELS.computeIfAbsent(spark, s -> new ConcurrentHashMap<>());
    }
    return models.computeIfAbsent(name, n -> {
      Map<String, String> conf = CollectionConverters.asJava(spark.conf().getAll());
      NamedModels.Named m = NamedModels.find(n, conf).orElseThrow(() -> new IllegalArgumentException(
          "no model named '" + n + "': set " + NamedModels.PREFIX + n + ".uri=<plan or ONNX URI> (and optionally "
              + NamedModels.PREFIX + n + ".inputs / .outputs / any spark.trt option), or register one with "
              + "TrtSql.register(spark, \"" + n + "\", inference)" + known(spark, conf)));
      TrtInference.Builder b = TrtInference.builder().session(spark).model(m.uri());
      m.inputs().forEach(t -> b.input(t, t));
      m.outputs().forEach(t -> b.output(t, t));
      m.options().forEach(b::option);
      return b.build();
    });
  }

  private static String known(SparkSession spark, Map<String, String> conf) {
    List<String> names = new ArrayList<>(NamedModels.names(conf));
    synchronized (MODELS) {
      names.addAll(MODELS.getOrDefault(spark, Map.of()).keySet());
    }
    return names.isEmpty() ? "; no model is named in this session" : "; named here: " + names.stream().distinct().sorted()
        .toList();
  }

  static ExpressionInfo info() {
    return new ExpressionInfo(TrtPredict.class.getName(), null, FUNCTION,
        "trt_predict(model, input1, input2, ...) - runs the named model (" + dev.trtspark.conf.NamedModels.uriKey("<name>") + ") on its inputs "
            + "in binding order; the output column, or a struct of the outputs", "", "", "", "", "", "", "");
  }

  /** Builds {@code trt_predict('name', args...)}: the first argument must be a constant string. */
  static Function1<Seq<Expression>, Expression> builder() {
    return args -> {
      List<Expression> a = CollectionConverters.asJava(args);
      if (a.isEmpty() || !a.get(0).foldable() || !(a.get(0).dataType() instanceof org.apache.spark.sql.types.StringType)) {
        throw new IllegalArgumentException(FUNCTION + " takes the model's name (a string constant) first, then its "
            + "inputs: " + FUNCTION + "('digits', features)");
      }
      String name = a.get(0).eval(null).toString();
      TrtInference inference = model(SparkSession.active(), name);
      List<Integer> perInput = new ArrayList<>();
      inference.inputTensors().forEach(t -> perInput.add(1));
      List<Expression> rest = a.subList(1, a.size());
      return new TrtPredict(name, inference, Scala.seq(rest), perInput, TrtPredict.namesOf(rest));
    };
  }
}
