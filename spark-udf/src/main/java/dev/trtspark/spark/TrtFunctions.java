package dev.trtspark.spark;

import dev.trtspark.arrow.binding.InputRowException;
import dev.trtspark.conf.InferenceSpec;
import dev.trtspark.conf.TensorBinding;
import dev.trtspark.spark.exec.ExecutorModels;
import dev.trtspark.spark.exec.ModelPayload;
import dev.trtspark.spark.exec.SingleRow;
import dev.trtspark.spark.exec.TaskInference;
import dev.trtspark.spark.exec.InputSource;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.TaskContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.api.java.UDF3;
import org.apache.spark.sql.api.java.UDF4;
import org.apache.spark.sql.catalyst.CatalystTypeConverters;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.Function1;

/**
 * Inference as a SQL function: {@code TrtFunctions.register(spark, "digits", inference)} then
 * {@code SELECT id, digits(features) AS probs FROM t}. Arguments are the model's inputs in the order of
 * the inference's input bindings; the result is the output column (or a struct of them for several).
 *
 * <p>Spark calls a SQL function row by row, so each call is a batch of one row, but it runs through the
 * same per-task executor path as {@link TrtInference} (one engine lease and slot per task, the same
 * conversions, checks and bad-row policy, the same metrics), without batching or overlap: use the
 * DataFrame API or {@link TrtModel} for throughput, this for convenience in SQL.
 */
public final class TrtFunctions {
  private TrtFunctions() {}

  /** Registers {@code name} as a SQL function running {@code inference} (1 to 4 inputs). */
  public static void register(SparkSession spark, String name, TrtInference inference) {
    SqlInference fn = new SqlInference(name, inference);
    DataType type = fn.returnType;
    switch (inference.spec().inputs().size()) {
      case 1:
        spark.udf().register(name, (UDF1<Object, Object>) a -> fn.apply(a), type);
        break;
      case 2:
        spark.udf().register(name, (UDF2<Object, Object, Object>) (a, b) -> fn.apply(a, b), type);
        break;
      case 3:
        spark.udf().register(name, (UDF3<Object, Object, Object, Object>) (a, b, c) -> fn.apply(a, b, c), type);
        break;
      case 4:
        spark.udf().register(name, (UDF4<Object, Object, Object, Object, Object>) (a, b, c, d) -> fn.apply(a, b, c, d),
            type);
        break;
      default:
        throw new IllegalArgumentException("SQL function " + name + ": models with 1 to 4 inputs are supported, this one "
            + "has " + inference.spec().inputs().size() + "; use the DataFrame API");
    }
  }

  /** The executor-side function. */
  private static final class SqlInference implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String name;
    private final InferenceSpec spec;
    private final Broadcast<ModelPayload> payload;
    private final InferenceMetrics metrics;
    private final StructType outputs;
    private final DataType returnType;
    /** Per argument types seen (Spark hands a Java UDF plain objects): the converters and row writer for them. */
    private transient ThreadLocal<Map<List<DataType>, Calls>> calls;

    SqlInference(String name, TrtInference inference) {
      this.name = name;
      // the arguments stand for the bound columns: errors about a row name "argument N"
      InferenceSpec.Builder sb = InferenceSpec.builder().model(inference.spec().model()).config(inference.spec().config());
      List<TensorBinding> in = inference.spec().inputs();
      for (int i = 0; i < in.size(); i++) {
        sb.input(in.get(i).tensor(), "argument " + (i + 1));
      }
      inference.spec().outputs().forEach(o -> sb.output(o.tensor(), o.column()));
      this.spec = sb.build();
      this.payload = inference.payload();
      this.metrics = inference.metrics();
      StructType out = new StructType();
      for (TensorBinding b : spec.outputs()) {
        out = out.add(new StructField(b.column(), inference.outputType(b), true, Metadata.empty()));
      }
      this.outputs = out;
      this.returnType = out.size() == 1 ? out.fields()[0].dataType() : out;
    }

    /** What turns one call's arguments into a row and its outputs back into objects. */
    private record Calls(StructType arguments, Function1<Object, Object> toCatalyst, Function1<Object, Object> toScala,
        SingleRow rows) {}

    Object apply(Object... args) {
      List<DataType> types = new ArrayList<>();
      for (int i = 0; i < args.length; i++) {
        types.add(SqlArguments.typeOf(args[i], spec.inputs().get(i).tensor()));
      }
      if (calls == null) {
        calls = ThreadLocal.withInitial(HashMap::new);
      }
      Calls c = calls.get().computeIfAbsent(types, this::prepare);
      InternalRow row = (InternalRow) c.toCatalyst().apply(Row.fromSeq(
          scala.jdk.javaapi.CollectionConverters.asScala(java.util.Arrays.asList(args)).toSeq()));
      TaskContext task = TaskContext.get();
      List<InputSource> sources = new ArrayList<>();
      for (int i = 0; i < types.size(); i++) {
        TensorBinding b = spec.inputs().get(i);
        sources.add(new InputSource(b.tensor(), b.column(), List.of(b.column()), List.of(types.get(i))));
      }
      TaskInference inference = TaskInference.open(task, "sql-" + name + "-" + System.identityHashCode(this) + types,
          spec, sources, () -> ExecutorModels.get(spec.model(), payload),
          task == null ? 0 : task.partitionId(), metrics);
      try {
        InternalRow out = c.rows().run(inference, row);
        if (out == null) {
          return null;
        }
        Row r = (Row) c.toScala().apply(out);
        return outputs.size() == 1 ? r.get(0) : r;
      } catch (InputRowException e) {
        throw new IllegalArgumentException("SQL function " + name + ": " + e.getMessage(), e);
      } finally {
        if (task == null) {
          inference.close();
        }
      }
    }

    private Calls prepare(List<DataType> types) {
      StructType args = new StructType();
      for (int i = 0; i < types.size(); i++) {
        args = args.add(spec.inputs().get(i).column(), types.get(i), true);
      }
      return new Calls(args, CatalystTypeConverters.createToCatalystConverter(args),
          CatalystTypeConverters.createToScalaConverter(outputs), new SingleRow(outputs));
    }
  }

  /** The Spark type of a SQL function argument, from the object Spark passes. */
  static final class SqlArguments {
    private SqlArguments() {}

    static DataType typeOf(Object arg, String tensor) {
      if (arg instanceof scala.collection.Iterable<?> it) {
        scala.collection.Iterator<?> values = it.iterator();
        while (values.hasNext()) {
          Object v = values.next();
          if (v != null) {
            return DataTypes.createArrayType(scalar(v, tensor), true);
          }
        }
        return DataTypes.createArrayType(DataTypes.FloatType, true);
      }
      return arg == null ? DataTypes.FloatType : scalar(arg, tensor);
    }

    private static DataType scalar(Object v, String tensor) {
      if (v instanceof Float) {
        return DataTypes.FloatType;
      } else if (v instanceof Double) {
        return DataTypes.DoubleType;
      } else if (v instanceof Integer) {
        return DataTypes.IntegerType;
      } else if (v instanceof Long) {
        return DataTypes.LongType;
      } else if (v instanceof Short) {
        return DataTypes.ShortType;
      } else if (v instanceof Byte) {
        return DataTypes.ByteType;
      } else if (v instanceof Boolean) {
        return DataTypes.BooleanType;
      }
      throw new IllegalArgumentException("an argument for tensor '" + tensor + "' holds " + v.getClass().getSimpleName()
          + " values; tensors take numbers or booleans");
    }
  }
}
