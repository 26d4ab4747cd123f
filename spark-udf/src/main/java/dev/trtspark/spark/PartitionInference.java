package dev.trtspark.spark;

import dev.trtspark.arrow.memory.TensorAllocators;
import dev.trtspark.arrow.pipeline.BatchResult;
import dev.trtspark.arrow.pipeline.InferenceRunner;
import dev.trtspark.conf.InferenceSpec;
import dev.trtspark.conf.TrtConf;
import dev.trtspark.engine.Engines;
import dev.trtspark.engine.cache.EngineLease;
import dev.trtspark.engine.cache.SlotLease;
import dev.trtspark.engine.model.ModelArtifact;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.BoundReference;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.JoinedRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeProjection;
import org.apache.spark.sql.execution.arrow.ArrowWriter;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.ArrowUtils;
import org.apache.spark.sql.vectorized.ArrowColumnVector;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import org.apache.spark.util.TaskCompletionListener;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The executor side of an inference, one call per partition: leases the engine (loaded once per JVM and
 * device) and an execution slot, writes the bound columns of the partition's rows into pinned Arrow
 * vectors with Spark's own {@link ArrowWriter}, drives the arrow-io pipeline, and emits each input row
 * followed by its outputs, in order. Everything it takes is released by a task-completion listener, so
 * a failed or killed task releases its slot too.
 */
final class PartitionInference implements Function2<Integer, Iterator<InternalRow>, Iterator<InternalRow>> {
  private static final long serialVersionUID = 1L;

  private final InferenceSpec spec;
  private final Broadcast<ModelPayload> payload;
  private final StructType inputSchema;
  private final int[] inputOrdinals;
  private final StructType outputSchema;
  private final String timeZone;
  private final InferenceMetrics metrics;

  PartitionInference(InferenceSpec spec, Broadcast<ModelPayload> payload, StructType inputSchema, int[] inputOrdinals,
      StructType outputSchema, String timeZone, InferenceMetrics metrics) {
    this.spec = spec;
    this.payload = payload;
    this.inputSchema = inputSchema;
    this.inputOrdinals = inputOrdinals;
    this.outputSchema = outputSchema;
    this.timeZone = timeZone;
    this.metrics = metrics;
  }

  @Override
  public Iterator<InternalRow> call(Integer partition, Iterator<InternalRow> rows) {
    if (!rows.hasNext()) {
      return Collections.emptyIterator();
    }
    TaskContext task = TaskContext.get();
    Rows out = new Rows(rows, partition, task);
    if (task != null) {
      task.addTaskCompletionListener(new TaskCompletionListener() {
        @Override
        public void onTaskCompletion(TaskContext context) {
          out.close();
        }
      });
    }
    return out;
  }

  /** The partition's output rows; owns the task's engine lease, slot, allocator and runner. */
  private final class Rows implements Iterator<InternalRow>, AutoCloseable {
    private final Iterator<InternalRow> source;
    private final EngineLease engine;
    private final SlotLease slot;
    private final BufferAllocator allocator;
    private final InferenceRunner runner;
    private final Schema arrowInputs;
    private final UnsafeProjection pickInputs;
    private final UnsafeProjection joined;
    private final ArrayColumnWriter fastWriter;
    private final JoinedRow join = new JoinedRow();
    private final ArrayDeque<List<InternalRow>> inFlightRows = new ArrayDeque<>();
    private final ArrayDeque<BatchResult> ready = new ArrayDeque<>();
    private final int batchSize;
    private BatchResult current;
    private List<InternalRow> currentRows;
    private ColumnarBatch currentBatch;
    private int next;
    private boolean drained;
    private boolean closed;

    Rows(Iterator<InternalRow> source, int partition, TaskContext task) {
      this.source = source;
      this.batchSize = spec.config().get(TrtConf.BATCH_SIZE);
      ModelArtifact artifact = ExecutorModels.get(spec.model(), payload);
      int device = TaskDevice.choose(task, spec.config(), partition);
      String name = "trt-task-" + (task == null ? "local" : task.taskAttemptId());
      EngineLease e = null;
      SlotLease s = null;
      BufferAllocator a = null;
      InferenceRunner r = null;
      try {
        e = Engines.lease(artifact, device, spec.config());
        metrics.addEngineLease(e.loadedHere());
        s = e.leaseSlot();
        a = TensorAllocators.get(spec.config().get(TrtConf.PINNED_POOL_MAX_BYTES)).newTaskAllocator(name);
        r = new InferenceRunner(s, spec.inputs(), spec.outputs(), spec.config(), a, TensorAllocators.get(0));
        StructType picked = new StructType();
        List<Expression> refs = new ArrayList<>();
        List<dev.trtspark.engine.tensor.TensorInfo> tensors = new ArrayList<>();
        for (int i = 0; i < inputOrdinals.length; i++) {
          StructField f = inputSchema.fields()[inputOrdinals[i]];
          picked = picked.add(f);
          refs.add(new BoundReference(inputOrdinals[i], f.dataType(), f.nullable()));
          tensors.add(s.signature().require(spec.inputs().get(i).tensor(), true));
        }
        this.arrowInputs = ArrowUtils.toArrowSchema(picked, timeZone, true, false);
        this.fastWriter = ArrayColumnWriter.forInputs(picked.fields(), inputOrdinals, tensors);
        this.pickInputs = UnsafeProjection.create(CollectionConverters.asScala(refs).toSeq());
        StructType all = inputSchema;
        for (StructField f : outputSchema.fields()) {
          all = all.add(f);
        }
        this.joined = UnsafeProjection.create(all);
      } catch (RuntimeException ex) {
        // nothing is registered for cleanup yet: give everything back here
        closeQuietly(r);
        closeQuietly(s);
        closeQuietly(e);
        closeQuietly(a);
        throw ex;
      }
      this.engine = e;
      this.slot = s;
      this.allocator = a;
      this.runner = r;
    }

    @Override
    public boolean hasNext() {
      while (current == null || next >= current.rows()) {
        releaseCurrent();
        if (ready.isEmpty() && !advance()) {
          close();
          return false;
        }
        current = ready.poll();
        currentRows = inFlightRows.poll();
        ColumnVector[] columns = new ColumnVector[outputSchema.size()];
        for (int i = 0; i < columns.length; i++) {
          columns[i] = new ArrowColumnVector(current.outputs().getVector(i));
        }
        currentBatch = new ColumnarBatch(columns, current.rows());
        next = 0;
      }
      return true;
    }

    @Override
    public InternalRow next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      int i = next++;
      return joined.apply(join.apply(currentRows.get(i), currentBatch.getRow(i)));
    }

    /** Fills and submits batches until one completes or the input ends; false when all is out. */
    private boolean advance() {
      while (ready.isEmpty()) {
        if (source.hasNext()) {
          submitBatch();
        } else if (!drained) {
          drained = true;
          ready.addAll(runner.finish());
        } else {
          return false;
        }
      }
      return true;
    }

    private void submitBatch() {
      List<InternalRow> kept = new ArrayList<>(batchSize);
      while (kept.size() < batchSize && source.hasNext()) {
        kept.add(source.next().copy());
      }
      VectorSchemaRoot root = fastWriter == null ? null : fastWriter.write(kept, allocator);
      if (root == null) {
        root = VectorSchemaRoot.create(arrowInputs, allocator);
        try {
          ArrowWriter writer = ArrowWriter.create(root);
          for (InternalRow row : kept) {
            writer.write(pickInputs.apply(row));
          }
          writer.finish();
        } catch (RuntimeException e) {
          root.close();
          throw e;
        }
      }
      inFlightRows.add(kept);
      ready.addAll(runner.submit(root));
    }

    private void releaseCurrent() {
      if (current != null) {
        current.close();
        current = null;
        currentBatch = null;
        currentRows = null;
      }
    }

    /** Releases everything this task holds, in dependency order; idempotent. */
    @Override
    public void close() {
      if (closed) {
        return;
      }
      closed = true;
      try {
        releaseCurrent();
        ready.forEach(BatchResult::close);
        ready.clear();
        closeQuietly(runner);
        metrics.add(runner.metrics());
      } finally {
        closeQuietly(slot);
        closeQuietly(engine);
        allocator.close();
      }
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (Exception e) {
      // the first failure is the one the task reports; later ones would only hide it
    }
  }
}
