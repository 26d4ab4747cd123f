package dev.trtspark.spark;

import dev.trtspark.arrow.binding.BadRows;
import dev.trtspark.arrow.pipeline.PipelineMetrics;
import java.io.Serializable;
import org.apache.spark.SparkContext;
import org.apache.spark.util.LongAccumulator;

/**
 * Named accumulators for one inference (visible in the Spark UI's stage pages), filled by each task
 * when its partition ends: rows, batches, bad rows, engine loads and cache hits, and time per stage:
 * input (pulling rows or batches from the plan below: scan, decode, upstream operators), slot wait,
 * fill (columns to tensors), H2D / compute / D2H (device time), wait (blocked on the device) and emit
 * (results to output rows); and for variable-length inputs, the elements sent against the rows' own
 * values ({@link #paddingRatio()}). Times are summed over tasks, so with 16 tasks they add up to 16x the wall time.
 * {@link #summary()} is the line a job prints.
 */
public final class InferenceMetrics implements Serializable {
  private static final long serialVersionUID = 1L;
  private final LongAccumulator rows;
  private final LongAccumulator batches;
  private final LongAccumulator badRows;
  private final LongAccumulator engineLoads;
  private final LongAccumulator engineHits;
  private final LongAccumulator fillMs;
  private final LongAccumulator h2dMs;
  private final LongAccumulator computeMs;
  private final LongAccumulator d2hMs;
  private final LongAccumulator waitMs;
  private final LongAccumulator slotWaitMs;
  private final LongAccumulator inputMs;
  private final LongAccumulator emitMs;
  private final LongAccumulator paddedElements;
  private final LongAccumulator valueElements;
  private final PlacementAccumulator placements = new PlacementAccumulator();
  private final java.util.EnumMap<BadRows.Reason, LongAccumulator> badByReason = new java.util.EnumMap<>(BadRows.Reason.class);

  /** Host-side times of one task that the pipeline does not see. */
  public record TaskTimes(long slotWaitNanos, long inputNanos, long emitNanos) {}

  InferenceMetrics(SparkContext sc, String name) {
    rows = sc.longAccumulator(name + " rows");
    batches = sc.longAccumulator(name + " batches");
    badRows = sc.longAccumulator(name + " bad rows");
    engineLoads = sc.longAccumulator(name + " engine loads");
    engineHits = sc.longAccumulator(name + " engine cache hits");
    fillMs = sc.longAccumulator(name + " fill ms");
    h2dMs = sc.longAccumulator(name + " h2d ms");
    computeMs = sc.longAccumulator(name + " compute ms");
    d2hMs = sc.longAccumulator(name + " d2h ms");
    waitMs = sc.longAccumulator(name + " wait ms");
    slotWaitMs = sc.longAccumulator(name + " slot wait ms");
    inputMs = sc.longAccumulator(name + " input ms");
    emitMs = sc.longAccumulator(name + " emit ms");
    paddedElements = sc.longAccumulator(name + " padded input elements");
    valueElements = sc.longAccumulator(name + " input value elements");
    sc.register(placements, name + " task placements");
    for (BadRows.Reason r : BadRows.Reason.values()) {
      badByReason.put(r, sc.longAccumulator(name + " bad rows " + r.name().toLowerCase(java.util.Locale.ROOT)));
    }
  }

  /** Called by the executor path when a task leases the engine. */
  public void addEngineLease(boolean loaded) {
    (loaded ? engineLoads : engineHits).add(1);
  }

  /**
   * Where one task ran, recorded by the executor path when it leases its slot: its executor, the GPU
   * addresses Spark gave the task ({@code spark.task.resource.gpu}; empty without GPU scheduling), the
   * CUDA device its slot's buffers are on as the driver reports it (-1 on ONNX Runtime), and whether
   * the task loaded the engine.
   */
  public record Placement(String executor, java.util.List<String> givenGpus, int cudaDevice, boolean loaded) {
    /** Whether the task's slot ran on a GPU Spark did not give the task (false without GPU scheduling). */
    public boolean offItsGpu() {
      return cudaDevice >= 0 && !givenGpus.isEmpty() && !givenGpus.contains(Integer.toString(cudaDevice));
    }
  }

  /** Tasks per executor and CUDA device: how many, how many loaded the engine, how many ran off their GPU. */
  public record Placed(String executor, int cudaDevice, long tasks, long loads, long offTheirGpu) {}

  /** Called by the executor path when a task has leased its slot. */
  public void addPlacement(Placement p) {
    placements.add(p);
  }

  /**
   * Tasks per executor and CUDA device, ordered by executor and device; a fixed size however many tasks
   * ran (the counts are kept, not the tasks).
   */
  public java.util.List<Placed> placements() {
    java.util.List<Placed> out = new java.util.ArrayList<>();
    placements.value().forEach((k, n) -> {
      int bar = k.lastIndexOf('|');
      out.add(new Placed(k.substring(0, bar), Integer.parseInt(k.substring(bar + 1)), n[0], n[1], n[2]));
    });
    return out;
  }

  /**
   * Tasks and engine loads per executor and CUDA device, for example {@code exec 0 cuda:0 tasks=16
   * loads=1; exec 1 cuda:1 tasks=16 loads=1}, then how many tasks ran off the GPU they were given; empty
   * when no task ran on a GPU.
   */
  public String placementSummary() {
    java.util.List<Placed> all = placements();
    if (all.stream().noneMatch(p -> p.cudaDevice() >= 0)) {
      return "";
    }
    StringBuilder sb = new StringBuilder();
    for (Placed p : all) {
      sb.append(sb.length() == 0 ? "" : "; ").append("exec ").append(p.executor()).append(" cuda:").append(p.cudaDevice())
          .append(" tasks=").append(p.tasks()).append(" loads=").append(p.loads());
    }
    return sb.append(" (tasks off their GPU: ").append(all.stream().mapToLong(Placed::offTheirGpu).sum()).append(')')
        .toString();
  }

  /** Counts per "executor|device": {tasks, loads, tasks off their GPU}. */
  static final class PlacementAccumulator
      extends org.apache.spark.util.AccumulatorV2<Placement, java.util.Map<String, long[]>> {
    private static final long serialVersionUID = 1L;
    private final java.util.TreeMap<String, long[]> counts = new java.util.TreeMap<>();

    @Override
    public boolean isZero() {
      synchronized (counts) {
        return counts.isEmpty();
      }
    }

    @Override
    public PlacementAccumulator copy() {
      PlacementAccumulator c = new PlacementAccumulator();
      c.mergeCounts(value());
      return c;
    }

    @Override
    public void reset() {
      synchronized (counts) {
        counts.clear();
      }
    }

    @Override
    public void add(Placement p) {
      synchronized (counts) {
        long[] n = counts.computeIfAbsent(p.executor() + "|" + p.cudaDevice(), k -> new long[3]);
        n[0]++;
        n[1] += p.loaded() ? 1 : 0;
        n[2] += p.offItsGpu() ? 1 : 0;
      }
    }

    @Override
    public void merge(org.apache.spark.util.AccumulatorV2<Placement, java.util.Map<String, long[]>> other) {
      mergeCounts(other.value());
    }

    private void mergeCounts(java.util.Map<String, long[]> other) {
      synchronized (counts) {
        other.forEach((k, n) -> {
          long[] mine = counts.computeIfAbsent(k, x -> new long[3]);
          for (int i = 0; i < 3; i++) {
            mine[i] += n[i];
          }
        });
      }
    }

    @Override
    public java.util.Map<String, long[]> value() {
      synchronized (counts) {
        java.util.TreeMap<String, long[]> copy = new java.util.TreeMap<>();
        counts.forEach((k, n) -> copy.put(k, n.clone()));
        return copy;
      }
    }
  }

  /** Called by the executor path when a task's inference ends. */
  public void add(PipelineMetrics m, TaskTimes t) {
    slotWaitMs.add(t.slotWaitNanos() / 1_000_000);
    inputMs.add(t.inputNanos() / 1_000_000);
    emitMs.add(t.emitNanos() / 1_000_000);
    rows.add(m.rows());
    batches.add(m.batches());
    badRows.add(m.badRows());
    m.badByReason().forEach((r, n) -> badByReason.get(r).add(n));
    fillMs.add(m.fillNanos() / 1_000_000);
    h2dMs.add(m.h2dNanos() / 1_000_000);
    computeMs.add(m.computeNanos() / 1_000_000);
    d2hMs.add(m.d2hNanos() / 1_000_000);
    waitMs.add(m.waitNanos() / 1_000_000);
    paddedElements.add(m.paddedElements());
    valueElements.add(m.valueElements());
  }

  /**
   * Elements sent for variable-length (padded) inputs per element of the rows' own values: 1 means no
   * padding; 1 when the model has no such input.
   */
  public double paddingRatio() {
    return valueElements.value() == 0 ? 1 : (double) paddedElements.value() / valueElements.value();
  }

  public long rows() {
    return rows.value();
  }

  public long batches() {
    return batches.value();
  }

  public long badRows() {
    return badRows.value();
  }

  /**
   * Milliseconds the tasks waited for their input (the plan below producing rows or column batches: the
   * scan's reads and decoding), summed over tasks.
   */
  public long inputMs() {
    return inputMs.value();
  }

  /** Bad rows by reason (null row, null element, wrong length, non-finite), the reasons with none left out. */
  public java.util.Map<BadRows.Reason, Long> badRowsByReason() {
    java.util.Map<BadRows.Reason, Long> m = new java.util.EnumMap<>(BadRows.Reason.class);
    badByReason.forEach((r, a) -> {
      if (a.value() > 0) {
        m.put(r, a.value());
      }
    });
    return m;
  }

  /** Engine loads done by this inference's tasks (at most one per executor JVM and device). */
  public long engineLoads() {
    return engineLoads.value();
  }

  /** Tasks that found the engine already loaded in their executor. */
  public long engineHits() {
    return engineHits.value();
  }

  public String summary() {
    StringBuilder reasons = new StringBuilder();
    badRowsByReason().forEach((r, n) -> reasons.append(reasons.length() == 0 ? " (" : ", ")
        .append(r.name().toLowerCase(java.util.Locale.ROOT)).append('=').append(n));
    if (reasons.length() > 0) {
      reasons.append(')');
    }
    return String.format("rows=%d batches=%d badRows=%d%s engineLoads=%d engineCacheHits=%d input=%dms slotWait=%dms "
        + "fill=%dms h2d=%dms compute=%dms d2h=%dms wait=%dms emit=%dms", rows.value(), batches.value(), badRows.value(),
        reasons, engineLoads.value(), engineHits.value(), inputMs.value(), slotWaitMs.value(), fillMs.value(), h2dMs.value(),
        computeMs.value(), d2hMs.value(), waitMs.value(), emitMs.value())
        + (valueElements.value() == 0 ? "" : String.format(" padding=%.2fx", paddingRatio()));
  }
}
