package dev.trtspark.spark;

import dev.trtspark.conf.BadRowPolicy;
import dev.trtspark.conf.InferenceSpec;
import dev.trtspark.conf.TensorBinding;
import dev.trtspark.conf.TrtConf;
import dev.trtspark.engine.Engines;
import dev.trtspark.engine.cache.EngineLease;
import dev.trtspark.engine.cache.SlotLease;
import dev.trtspark.engine.tensor.DataType;
import dev.trtspark.engine.tensor.HostTensor;
import dev.trtspark.engine.tensor.TensorInfo;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.arrow.memory.util.Float16;
import org.apache.spark.TaskContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.api.java.UDF3;
import org.apache.spark.sql.api.java.UDF4;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.TaskCompletionListener;

/**
 * Inference as a SQL function: {@code TrtFunctions.register(spark, "digits", inference)} then
 * {@code SELECT id, digits(features) AS probs FROM t}. Arguments are the model's inputs in the order of
 * the inference's input bindings; the result is the output column (or a struct of them for several).
 *
 * <p>A SQL function is called row by row, so this runs one row per inference call through the same
 * engine cache and execution slots as {@link TrtInference}, but without its batching and overlap: use the
 * DataFrame API or {@link TrtModel} for throughput, this for convenience in SQL.
 */
public final class TrtFunctions {
  private TrtFunctions() {}

  /** Registers {@code name} as a SQL function running {@code inference} (1 to 4 inputs). */
  public static void register(SparkSession spark, String name, TrtInference inference) {
    RowInference fn = new RowInference(name, inference);
    org.apache.spark.sql.types.DataType type = fn.returnType(inference);
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

  /** What one tensor needs, in serializable form. */
  private record Tensor(String name, DataType type, long[] shape) implements Serializable {}

  /** The executor-side function; the engine and a slot are leased once per task. */
  private static final class RowInference implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final Map<String, Leases> TASKS = new ConcurrentHashMap<>();

    private final String name;
    private final InferenceSpec spec;
    private final Broadcast<ModelPayload> payload;
    private final List<Tensor> inputs = new ArrayList<>();
    private final List<Tensor> outputs = new ArrayList<>();

    RowInference(String name, TrtInference inference) {
      this.name = name;
      this.spec = inference.spec();
      this.payload = inference.payload();
      for (TensorBinding b : spec.inputs()) {
        TensorInfo t = inference.signature().require(b.tensor(), true);
        inputs.add(new Tensor(t.name(), t.dataType(), t.shape()));
      }
      for (TensorBinding b : spec.outputs()) {
        TensorInfo t = inference.signature().require(b.tensor(), false);
        outputs.add(new Tensor(t.name(), t.dataType(), t.shape()));
      }
    }

    org.apache.spark.sql.types.DataType returnType(TrtInference inference) {
      if (spec.outputs().size() == 1) {
        return inference.outputType(spec.outputs().get(0));
      }
      StructType struct = new StructType();
      for (TensorBinding b : spec.outputs()) {
        struct = struct.add(new StructField(b.column(), inference.outputType(b), true, Metadata.empty()));
      }
      return struct;
    }

    private record Leases(EngineLease engine, SlotLease slot) implements AutoCloseable {
      @Override
      public void close() {
        slot.close();
        engine.close();
      }
    }

    Object apply(Object... args) {
      TaskContext task = TaskContext.get();
      Leases leases = task == null ? lease(0) : TASKS.computeIfAbsent(task.taskAttemptId() + "/" + name, id -> {
        Leases l = lease(task.partitionId());
        task.addTaskCompletionListener(new TaskCompletionListener() {
          @Override
          public void onTaskCompletion(TaskContext context) {
            Leases gone = TASKS.remove(id);
            if (gone != null) {
              gone.close();
            }
          }
        });
        return l;
      });
      try {
        return run(leases.slot(), args);
      } finally {
        if (task == null) {
          leases.close();
        }
      }
    }

    private Leases lease(int partition) {
      EngineLease e = Engines.lease(ExecutorModels.get(spec.model(), payload),
          TaskDevice.choose(TaskContext.get(), spec.config(), partition), spec.config());
      try {
        return new Leases(e, e.leaseSlot());
      } catch (RuntimeException ex) {
        e.close();
        throw ex;
      }
    }

    private Object run(SlotLease slot, Object[] args) {
      Map<String, HostTensor> in = new LinkedHashMap<>();
      Map<String, long[]> shapes = new LinkedHashMap<>();
      for (int i = 0; i < inputs.size(); i++) {
        Tensor t = inputs.get(i);
        HostTensor h = toTensor(t, args[i], i);
        if (h == null) {
          return null;
        }
        in.put(t.name(), h);
        shapes.put(t.name(), h.shape());
      }
      Map<String, long[]> outShapes = slot.outputShapes(shapes);
      Map<String, HostTensor> out = new LinkedHashMap<>();
      Map<String, ByteBuffer> buffers = new LinkedHashMap<>();
      for (Tensor t : outputs) {
        ByteBuffer b = ByteBuffer.allocateDirect((int) (TensorInfo.elements(outShapes.get(t.name())) * t.type().bytes()))
            .order(ByteOrder.nativeOrder());
        buffers.put(t.name(), b);
        out.put(t.name(), HostTensor.of(b, null));
      }
      slot.submit(in, out).await();
      List<Object> values = new ArrayList<>();
      for (Tensor t : outputs) {
        values.add(fromTensor(t, buffers.get(t.name()), outShapes.get(t.name())));
      }
      return values.size() == 1 ? values.get(0) : RowFactory.create(values.toArray());
    }

    /** One argument as a [1, ...] tensor, or null for a bad argument under the null policy. */
    private HostTensor toTensor(Tensor t, Object arg, int position) {
      List<Object> values = new ArrayList<>();
      if (arg instanceof scala.collection.Iterable) {
        scala.collection.Iterator<?> it = ((scala.collection.Iterable<?>) arg).iterator();
        while (it.hasNext()) {
          values.add(it.next());
        }
      } else if (arg != null) {
        values.add(arg);
      }
      long[] shape = t.shape().clone();
      shape[0] = 1;
      long expected = 1;
      for (int d = 1; d < shape.length; d++) {
        if (shape[d] < 0) {
          shape[d] = values.size();
        }
        expected *= shape[d];
      }
      String problem = arg == null ? "is null" : values.size() != expected ? "has " + values.size() + " values, tensor '"
          + t.name() + "' takes " + expected : values.contains(null) ? "has a null element" : null;
      if (problem != null) {
        if (spec.config().get(TrtConf.BAD_ROW_POLICY) == BadRowPolicy.NULL) {
          return null;
        }
        throw new IllegalArgumentException("SQL function " + name + ": argument " + (position + 1) + " (tensor '" + t.name()
            + "') " + problem + "; set spark.trt.badRowPolicy=null to get null instead");
      }
      ByteBuffer b = ByteBuffer.allocateDirect((int) Math.max(1, expected * t.type().bytes())).order(ByteOrder.nativeOrder());
      for (Object v : values) {
        Number n = v instanceof Boolean ? (Boolean) v ? 1 : 0 : (Number) v;
        switch (t.type()) {
          case FLOAT32:
            b.putFloat(n.floatValue());
            break;
          case FLOAT16:
            b.putShort(Float16.toFloat16(n.floatValue()));
            break;
          case INT32:
            b.putInt(n.intValue());
            break;
          case INT64:
            b.putLong(n.longValue());
            break;
          case INT8:
          case UINT8:
          case BOOL:
            b.put(n.byteValue());
            break;
          default:
            throw new IllegalArgumentException("SQL function " + name + ": tensor type " + t.type().display()
                + " is not supported here; use the DataFrame API");
        }
      }
      b.flip();
      return HostTensor.of(b, shape);
    }

    private static Object fromTensor(Tensor t, ByteBuffer b, long[] shape) {
      int n = (int) TensorInfo.elements(shape);
      List<Object> out = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        switch (t.type()) {
          case FLOAT32:
            out.add(b.getFloat(i * 4));
            break;
          case FLOAT16:
            out.add(Float16.toFloat(b.getShort(i * 2)));
            break;
          case BFLOAT16:
            out.add(Float.intBitsToFloat((b.getShort(i * 2) & 0xffff) << 16));
            break;
          case INT32:
            out.add(b.getInt(i * 4));
            break;
          case INT64:
            out.add(b.getLong(i * 8));
            break;
          case BOOL:
            out.add(b.get(i) != 0);
            break;
          default:
            out.add(b.get(i));
        }
      }
      return shape.length <= 1 ? out.get(0) : out;
    }
  }
}
