package dev.trtspark.spark.exec;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeProjection;
import org.apache.spark.sql.catalyst.expressions.UnsafeRow;
import org.apache.spark.sql.vectorized.ColumnarBatch;

/**
 * One partition's output rows: pulls input (rows or columnar batches) into the task's
 * {@link TaskInference} a batch at a time, keeps batches in flight, and emits each input row's
 * pass-through columns followed by its outputs, in input order. The pass-through columns of each row are
 * copied when the row is read (the plan below reuses its rows and batches); the bound tensor columns are
 * read once, into pinned memory, and only copied again when the inference keeps them.
 *
 * <p>Ownership: the {@link TaskInference} belongs to the task's resources; this releases it early, as
 * soon as the input is exhausted, so the slot goes back before the task's later stages. Threading: the
 * task's thread.
 */
final class InferenceIterator implements Iterator<InternalRow> {
  static final UnsafeRow NO_COLUMNS = new UnsafeRow(0);

  static {
    NO_COLUMNS.pointTo(new byte[0], 0);
  }

  /** Where input comes from: fills the batch and collects each row's pass-through columns. */
  interface Source {
    /** Appends rows until the batch is full or the input ends; false once the input has ended. */
    boolean fill(InputBatchBuilder batch, List<UnsafeRow> passThrough);
  }

  private final TaskInference inference;
  private final Source source;
  private final OutputRowWriter out;
  private TaskInference.Completed current;
  private List<UnsafeRow> currentPass;
  private int next;
  private boolean ended;
  private boolean done;

  InferenceIterator(TaskInference inference, Source source, OutputRowWriter out) {
    this.inference = inference;
    this.source = source;
    this.out = out;
  }

  @Override
  @SuppressWarnings("unchecked")
  public boolean hasNext() {
    while (current == null || next >= current.result().rows()) {
      if (done) {
        return false;
      }
      current = inference.next(ended);
      if (current != null) {
        currentPass = (List<UnsafeRow>) current.tag();
        next = 0;
        continue;
      }
      if (ended) {
        done = true;
        inference.close();
        return false;
      }
      List<UnsafeRow> pass = new ArrayList<>(inference.input().room());
      ended = !source.fill(inference.input(), pass);
      if (inference.input().rows() > 0) {
        inference.submit(pass);
      }
    }
    return true;
  }

  @Override
  public InternalRow next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    long t0 = System.nanoTime();
    int i = next++;
    UnsafeRow row = out.write(currentPass.get(i), current.result().outputs(), i);
    inference.addEmitNanos(System.nanoTime() - t0);
    return row;
  }

  /** Input rows from a row-based plan. */
  static Source rows(Iterator<InternalRow> rows, int[] bound, UnsafeProjection pass, TaskInference timing) {
    return (batch, passThrough) -> {
      while (!batch.full()) {
        long t0 = System.nanoTime();
        boolean more = rows.hasNext();
        InternalRow row = more ? rows.next() : null;
        timing.addInputNanos(System.nanoTime() - t0);
        if (!more) {
          return false;
        }
        batch.appendRow(row, bound);
        passThrough.add(pass == null ? NO_COLUMNS : pass.apply(row).copy());
      }
      return true;
    };
  }

  /** Input batches from a columnar plan (a vectorized scan), sliced and joined to the inference batch size. */
  static Source batches(Iterator<ColumnarBatch> batches, int[] bound, UnsafeProjection pass, TaskInference timing) {
    return new Source() {
      private ColumnarBatch batch;
      private int position;

      @Override
      public boolean fill(InputBatchBuilder target, List<UnsafeRow> passThrough) {
        while (!target.full()) {
          if (batch == null || position >= batch.numRows()) {
            long t0 = System.nanoTime();
            boolean more = batches.hasNext();
            batch = more ? batches.next() : null;
            position = 0;
            timing.addInputNanos(System.nanoTime() - t0);
            if (!more) {
              return false;
            }
            continue;
          }
          int end = position + Math.min(batch.numRows() - position, target.room());
          if (!target.appendColumns(batch, bound, position, end)) {
            for (int i = position; i < end; i++) {
              target.appendRow(batch.getRow(i), bound);
            }
          }
          for (int i = position; i < end; i++) {
            passThrough.add(pass == null ? NO_COLUMNS : pass.apply(batch.getRow(i)).copy());
          }
          position = end;
        }
        return true;
      }
    };
  }
}
