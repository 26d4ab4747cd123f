package dev.trtspark.spark.exec;

import dev.trtspark.conf.InferenceSpec;
import dev.trtspark.spark.InferenceMetrics;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.BoundReference;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.UnsafeProjection;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The executor side of one {@code transform}, sent with the job: what the incoming rows or columnar
 * batches hold ({@code input}), which of their columns feed the model ({@code sources}, in binding order,
 * whose columns are at {@code bound}, one after the other)
 * and which are carried to the output ({@code pass}), and the output columns. {@link #rows()} and
 * {@link #batches()} are the two partition functions, for a row-based plan below and for a columnar one.
 */
public record PartitionInference(InferenceSpec spec, Broadcast<ModelPayload> payload, InferenceMetrics metrics,
    StructType input, List<InputSource> sources, int[] bound, int[] pass, StructType outputs) implements Serializable {

  private static final AtomicLong USES = new AtomicLong();

  /** The columns of the result: the pass-through columns, then the outputs. */
  public StructType resultSchema() {
    StructType s = passSchema();
    for (StructField f : outputs.fields()) {
      s = s.add(f);
    }
    return s;
  }

  private StructType passSchema() {
    StructType s = new StructType();
    for (int o : pass) {
      s = s.add(input.fields()[o]);
    }
    return s;
  }

  /** For {@code mapPartitionsWithIndex} over rows. */
  public Function2<Integer, Iterator<InternalRow>, Iterator<InternalRow>> rows() {
    return (partition, rows) -> {
      long t0 = System.nanoTime();
      if (!rows.hasNext()) {
        return Collections.emptyIterator();
      }
      long first = System.nanoTime() - t0;
      TaskInference t = open(partition);
      t.addInputNanos(first);  // the first row's production (a scan's first read) is input too
      return new InferenceIterator(t, InferenceIterator.rows(rows, bound, passProjection(), t), writer());
    };
  }

  /** For {@code mapPartitionsWithIndex} over the columnar batches of a vectorized scan. */
  public Function2<Integer, Iterator<ColumnarBatch>, Iterator<InternalRow>> batches() {
    return (partition, batches) -> {
      long t0 = System.nanoTime();
      if (!batches.hasNext()) {
        return Collections.emptyIterator();
      }
      long first = System.nanoTime() - t0;
      TaskInference t = open(partition);
      // the first batch is the costliest: Parquet reads the whole first row group (often the task's whole split)
      t.addInputNanos(first);
      return new InferenceIterator(t, InferenceIterator.batches(batches, bound, passProjection(), t), writer());
    };
  }

  private TaskInference open(int partition) {
    return TaskInference.open(TaskContext.get(), "transform-" + USES.incrementAndGet(), spec, sources,
        () -> ExecutorModels.get(spec.model(), payload), partition, metrics);
  }

  private UnsafeProjection passProjection() {
    if (pass.length == 0) {
      return null;
    }
    List<Expression> refs = new ArrayList<>();
    for (int o : pass) {
      StructField f = input.fields()[o];
      refs.add(new BoundReference(o, f.dataType(), f.nullable()));
    }
    return UnsafeProjection.create(CollectionConverters.asScala(refs).toSeq());
  }

  private OutputRowWriter writer() {
    return new OutputRowWriter(passSchema(), outputs);
  }
}
