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
  private final org.apache.spark.util.CollectionAccumulator<String> placements;
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
    placements = sc.collectionAccumulator(name + " task placements");
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
    String encode() {
      return executor + "|" + String.join(",", givenGpus) + "|" + cudaDevice + "|" + loaded;
    }

    static Placement decode(String s) {
      String[] f = s.split("\\|", -1);
      return new Placement(f[0], f[1].isEmpty() ? java.util.List.of() : java.util.List.of(f[1].split(",")),
          Integer.parseInt(f[2]), Boolean.parseBoolean(f[3]));
    }

    /** Whether the task's slot ran on a GPU Spark did not give the task (false without GPU scheduling). */
    public boolean offItsGpu() {
      return cudaDevice >= 0 && !givenGpus.isEmpty() && !givenGpus.contains(Integer.toString(cudaDevice));
    }
  }

  /** Called by the executor path when a task has leased its slot. */
  public void addPlacement(Placement p) {
    placements.add(p.encode());
  }

  /** Every task's placement (one per task and inference). */
  public java.util.List<Placement> placements() {
    return placements.value().stream().map(Placement::decode).toList();
  }

  /**
   * Tasks and engine loads per executor and CUDA device, for example {@code exec 0 cuda:0 tasks=16
   * loads=1; exec 1 cuda:1 tasks=16 loads=1}, then how many tasks ran off the GPU they were given; empty
   * when no task ran on a GPU.
   */
  public String placementSummary() {
    java.util.List<Placement> all = placements();
    if (all.stream().noneMatch(p -> p.cudaDevice() >= 0)) {
      return "";
    }
    java.util.Map<String, long[]> byPlace = new java.util.TreeMap<>();
    for (Placement p : all) {
      long[] n = byPlace.computeIfAbsent("exec " + p.executor() + " cuda:" + p.cudaDevice(), k -> new long[2]);
      n[0]++;
      n[1] += p.loaded() ? 1 : 0;
    }
    StringBuilder sb = new StringBuilder();
    byPlace.forEach((k, n) -> sb.append(sb.length() == 0 ? "" : "; ").append(k).append(" tasks=").append(n[0])
        .append(" loads=").append(n[1]));
    return sb.append(" (tasks off their GPU: ").append(all.stream().filter(Placement::offItsGpu).count()).append(')')
        .toString();
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
