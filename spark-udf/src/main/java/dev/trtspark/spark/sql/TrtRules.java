package dev.trtspark.spark.sql;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.catalyst.expressions.Alias;
import org.apache.spark.sql.catalyst.expressions.And;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.AttributeReference;
import org.apache.spark.sql.catalyst.expressions.AttributeSet;
import org.apache.spark.sql.catalyst.expressions.CreateNamedStruct;
import org.apache.spark.sql.catalyst.expressions.ExprId;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.Literal;
import org.apache.spark.sql.catalyst.expressions.NamedExpression;
import org.apache.spark.sql.catalyst.expressions.NamedExpression$;
import org.apache.spark.sql.catalyst.plans.logical.Filter;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.Project;
import org.apache.spark.sql.catalyst.rules.Rule;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.SparkStrategy;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import scala.Option;
import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The optimizer rule and planner strategy behind {@link TrtPredict} (the way Spark plans its
 * Arrow-evaluated Python UDFs):
 * <ul>
 *   <li>{@link Extract}: a {@code Project} or {@code Filter} holding predictions becomes one
 *       {@link TrtEvaluation} per prediction below it (two models, or one model on two columns, chain),
 *       its arguments computed by a projection below where they are not plain columns, each operator
 *       carrying only the columns the plan above still needs; a filter whose conjuncts only read the
 *       input goes below the inference, so rows a query drops never reach the GPU.</li>
 *   <li>{@link Plan}: plans a {@link TrtEvaluation} as a {@link TrtEvaluationExec}.</li>
 * </ul>
 */
public final class TrtRules {
  private TrtRules() {}

  /** The optimizer rule (idempotent: a plan without predictions comes back as it was). */
  public static final class Extract extends Rule<LogicalPlan> {
    public static final Extract INSTANCE = new Extract();

    @Override
    public LogicalPlan apply(LogicalPlan plan) {
      LogicalPlan p = plan.mapChildren(this::apply);
      if (p instanceof Project project && has(Scala.list(project.projectList()))) {
        return extract(project);
      }
      if (p instanceof Filter filter && has(List.of(filter.condition()))) {
        return extract(filter);
      }
      if (p instanceof Filter filter) {
        LogicalPlan pushed = pushDown(filter);
        if (pushed != null) {
          return pushed;
        }
      }
      if (p instanceof Project project && project.child() instanceof TrtEvaluation) {
        return prune(project, (TrtEvaluation) project.child());
      }
      return p;
    }
  }

  /** The planner strategy. */
  public static final class Plan extends SparkStrategy {
    public static final Plan INSTANCE = new Plan();

    @Override
    public Seq<SparkPlan> apply(LogicalPlan plan) {
      if (plan instanceof TrtEvaluation te) {
        SparkPlan exec = new TrtEvaluationExec(te.predict(), te.results(), te.pass(), planLater(te.child()));
        return Scala.seq(List.of(exec));
      }
      return Scala.seq(List.of());
    }
  }

  private static boolean has(List<Expression> exprs) {
    for (Expression e : exprs) {
      if (!innermost(e, new ArrayList<>()).isEmpty()) {
        return true;
      }
    }
    return false;
  }

  /** The predictions in {@code e} whose arguments hold none (nested ones come out in later rounds). */
  private static List<TrtPredict> innermost(Expression e, List<TrtPredict> into) {
    if (e instanceof TrtPredict p) {
      List<TrtPredict> inner = new ArrayList<>();
      CollectionConverters.asJava(p.children()).forEach(c -> innermost(c, inner));
      if (inner.isEmpty()) {
        if (into.stream().noneMatch(q -> q == p)) {
          into.add(p);
        }
      } else {
        inner.forEach(q -> {
          if (into.stream().noneMatch(x -> x == q)) {
            into.add(q);
          }
        });
      }
      return into;
    }
    CollectionConverters.asJava(e.children()).forEach(c -> innermost(c, into));
    return into;
  }

  private static Expression replace(Expression e, Map<TrtPredict, Expression> with) {
    Expression r = with.get(e);
    return r != null ? r : e.mapChildren(c -> replace(c, with));
  }

  /** One prediction on its way out: its new arguments and result columns. */
  private record Pulled(TrtPredict predict, List<Attribute> results) {}

  /** What the extraction of one node's predictions builds under it. */
  private record Chain(List<Pulled> pulled, List<Alias> arguments, Map<TrtPredict, Expression> replacements) {}

  private static Chain pull(List<Expression> exprs) {
    List<TrtPredict> found = new ArrayList<>();
    exprs.forEach(e -> innermost(e, found));
    List<Pulled> pulled = new ArrayList<>();
    List<Alias> arguments = new ArrayList<>();
    Map<TrtPredict, Expression> replacements = new IdentityHashMap<>();
    for (TrtPredict p : found) {
      List<Expression> args = new ArrayList<>();
      List<String> names = p.argumentNames();
      List<Expression> given = CollectionConverters.asJava(p.children());
      for (int i = 0; i < given.size(); i++) {
        Expression a = given.get(i);
        if (a instanceof Attribute) {
          args.add(a);
        } else {
          Alias alias = new Alias(a, names.get(i), newId(), emptySeq(), Option.empty(), emptySeq());
          arguments.add(alias);
          args.add(alias.toAttribute());
        }
      }
      List<Attribute> results = new ArrayList<>();
      List<Expression> struct = new ArrayList<>();
      for (StructField f : p.outputs().fields()) {
        Attribute r = new AttributeReference(f.name(), f.dataType(), true, Metadata.empty(), newId(), emptySeq());
        results.add(r);
        struct.add(Literal.create(f.name(), org.apache.spark.sql.types.DataTypes.StringType));
        struct.add(r);
      }
      TrtPredict q = new TrtPredict(p.model(), p.inference(), Scala.seq(args), p.columnsPerInput(), names);
      pulled.add(new Pulled(q, results));
      replacements.put(p, results.size() == 1 ? results.get(0)
          : new CreateNamedStruct(Scala.seq(struct)));
    }
    return new Chain(pulled, arguments, replacements);
  }

  /**
   * Builds {@code child -> [arguments] -> inference 1 -> ... -> inference n} where each operator carries
   * the columns that {@code needed} (what the node above reads) and the operators above it read.
   */
  private static LogicalPlan chain(Chain c, LogicalPlan child, AttributeSet needed) {
    int n = c.pulled().size();
    // top-down: what each operator must pass on
    List<Set<ExprId>> needs = new ArrayList<>();
    Set<ExprId> need = ids(needed);
    for (int k = n - 1; k >= 0; k--) {
      needs.add(0, need);
      Set<ExprId> below = new LinkedHashSet<>(need);
      c.pulled().get(k).results().forEach(r -> below.remove(r.exprId()));
      ids(c.pulled().get(k).predict().references()).forEach(below::add);
      need = below;
    }
    // the projection under the first operator: the child's needed columns and the computed arguments
    List<Object> pre = new ArrayList<>();
    for (Attribute a : Scala.<Attribute>list(child.output())) {
      if (need.contains(a.exprId())) {
        pre.add(a);
      }
    }
    boolean computed = false;
    for (Alias a : c.arguments()) {
      if (need.contains(a.exprId())) {
        pre.add(a);
        computed = true;
      }
    }
    LogicalPlan plan = pre.size() == child.output().size() && !computed ? child : new Project(Scala.seq(pre), child);
    for (int k = 0; k < n; k++) {
      Set<ExprId> keep = needs.get(k);
      List<Attribute> pass = new ArrayList<>();
      for (Attribute a : Scala.<Attribute>list(plan.output())) {
        if (keep.contains(a.exprId())) {
          pass.add(a);
        }
      }
      Pulled p = c.pulled().get(k);
      plan = new TrtEvaluation(p.predict(), Scala.seq(p.results()), Scala.seq(pass), plan);
    }
    return plan;
  }

  private static LogicalPlan extract(Project project) {
    List<Expression> list = Scala.list(project.projectList());
    Chain c = pull(list);
    List<Expression> replaced = new ArrayList<>();
    AttributeSet needed = AttributeSet.apply(Scala.<Expression>seq(List.of()));
    for (Expression e : list) {
      Expression r = replace(e, c.replacements());
      replaced.add(r);
      needed = needed.$plus$plus(r.references());
    }
    LogicalPlan below = chain(c, project.child(), needed);
    LogicalPlan out = new Project(Scala.seq(replaced), below);
    // a prediction over a prediction: the next round pulls the outer one
    return has(replaced) ? Extract.INSTANCE.apply(out) : out;
  }

  private static LogicalPlan extract(Filter filter) {
    Chain c = pull(List.of(filter.condition()));
    Expression condition = replace(filter.condition(), c.replacements());
    AttributeSet needed = filter.child().outputSet().$plus$plus(condition.references());
    LogicalPlan below = chain(c, filter.child(), needed);
    LogicalPlan out = new Project(Scala.seq(Scala.list(filter.child().output())), new Filter(condition, below));
    return has(List.of(condition)) ? Extract.INSTANCE.apply(out) : out;
  }

  /**
   * A filter over an inference (or over a projection over one): the conjuncts that only read columns the
   * inference passes on unchanged go below it. Null when nothing moves.
   */
  private static LogicalPlan pushDown(Filter filter) {
    LogicalPlan under = filter.child();
    Project columns = null;
    if (under instanceof Project p && p.child() instanceof TrtEvaluation
        && Scala.<Expression>list(p.projectList()).stream().allMatch(Expression::deterministic)) {
      columns = p;
      under = p.child();
    }
    if (!(under instanceof TrtEvaluation)) {
      return null;
    }
    TrtEvaluation te = (TrtEvaluation) under;
    // through the projection only by the columns it passes as they are
    Set<ExprId> plain = new LinkedHashSet<>();
    if (columns != null) {
      for (Object e : Scala.list(columns.projectList())) {
        if (e instanceof Attribute a) {
          plain.add(a.exprId());
        }
      }
    }
    List<Expression> stay = new ArrayList<>();
    List<Expression> go = new ArrayList<>();
    for (Expression c : conjuncts(filter.condition())) {
      boolean below = c.deterministic() && c.references().subsetOf(te.child().outputSet())
          && (columns == null || plain.containsAll(ids(c.references())));
      (below ? go : stay).add(c);
    }
    if (go.isEmpty()) {
      return null;
    }
    LogicalPlan moved = te.withNewChildren(Scala.seq(List.of(new Filter(and(go), te.child()))));
    LogicalPlan top = columns == null ? moved : new Project(columns.projectList(), moved);
    return stay.isEmpty() ? top : new Filter(and(stay), top);
  }

  /** A projection over an inference that reads fewer of the columns it passes on: it passes on fewer. */
  private static LogicalPlan prune(Project project, TrtEvaluation te) {
    AttributeSet used = project.references();
    List<Attribute> pass = new ArrayList<>();
    for (Attribute a : Scala.<Attribute>list(te.pass())) {
      if (used.contains(a)) {
        pass.add(a);
      }
    }
    if (pass.size() == te.pass().size()) {
      return project;
    }
    return new Project(project.projectList(), te.withPass(Scala.seq(pass)));
  }

  private static List<Expression> conjuncts(Expression e) {
    List<Expression> out = new ArrayList<>();
    if (e instanceof And and) {
      out.addAll(conjuncts(and.left()));
      out.addAll(conjuncts(and.right()));
    } else {
      out.add(e);
    }
    return out;
  }

  private static Expression and(List<Expression> es) {
    Expression r = es.get(0);
    for (int i = 1; i < es.size(); i++) {
      r = new And(r, es.get(i));
    }
    return r;
  }

  private static Set<ExprId> ids(AttributeSet set) {
    Set<ExprId> out = new LinkedHashSet<>();
    Scala.<Attribute>list(set.toSeq()).forEach(a -> out.add(a.exprId()));
    return out;
  }

  private static ExprId newId() {
    return NamedExpression$.MODULE$.newExprId();
  }

  private static <T> Seq<T> emptySeq() {
    return Scala.seq(List.of());
  }
}
