package dev.trtspark.engine.trt;

import dev.trtspark.conf.TrtConf;
import dev.trtspark.conf.BuildFlags;
import static org.bytedeco.cuda.global.cudart.cudaEventCreate;
import static org.bytedeco.cuda.global.cudart.cudaEventDestroy;
import static org.bytedeco.cuda.global.cudart.cudaEventElapsedTime;
import static org.bytedeco.cuda.global.cudart.cudaEventRecord;
import static org.bytedeco.cuda.global.cudart.cudaEventSynchronize;
import static org.bytedeco.cuda.global.cudart.cudaFree;
import static org.bytedeco.cuda.global.cudart.cudaMalloc;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyAsync;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyDeviceToHost;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyHostToDevice;
import static org.bytedeco.cuda.global.cudart.cudaStreamCreateWithFlags;
import static org.bytedeco.cuda.global.cudart.cudaStreamDestroy;
import static org.bytedeco.cuda.global.cudart.cudaStreamNonBlocking;
import static org.bytedeco.cuda.global.cudart.cudaStreamSynchronize;

import dev.trtspark.engine.EngineException;
import dev.trtspark.engine.backend.AbstractSlot;
import dev.trtspark.engine.backend.PendingBatch;
import dev.trtspark.engine.backend.StageTimes;
import dev.trtspark.engine.tensor.HostTensor;
import dev.trtspark.engine.tensor.TensorInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.cuda.cudart.CUevent_st;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.tensorrt.nvinfer.IExecutionContext;

/**
 * An execution slot on TensorRT: {@code lanes} lanes, each an execution context, a non-blocking CUDA
 * stream, device buffers for every IO tensor sized for the profile's max shapes (addresses bound once
 * with {@code setTensorAddress}) and timing events that also mark completion. Batches go to the lanes in turn, so a batch's
 * H2D copy on one lane's stream overlaps the previous batch's compute on another.
 *
 * <p>Ownership: the slot owns its contexts, streams, events and device buffers and frees them in
 * {@link #close()} (after synchronizing; contexts through {@link TrtDelete}).
 * Which stream a buffer is used on: a lane's buffers only ever on that lane's stream.
 *
 * <p>Threading: one thread at a time; {@code cudaSetDevice} is called on entry to every method that
 * touches CUDA, since pool threads move between tasks.
 */
final class TrtSlot extends AbstractSlot {
  private final TrtEngine engine;
  private final Lane[] lanes;
  private int next;
  private boolean closed;

  private static final class Lane {
    final IExecutionContext context;
    final CUstream_st stream = new CUstream_st();
    /** Timing events, four per chunk (before H2D, after H2D, after compute, after D2H), reused. */
    final List<CUevent_st> events = new ArrayList<>();
    final Map<String, Pointer> buffers = new LinkedHashMap<>();
    final Map<String, Long> capacity = new LinkedHashMap<>();
    /** The optimization profile the context runs (a fresh context runs profile 0). */
    int profile;

    Lane(IExecutionContext context) {
      this.context = context;
    }
  }

  TrtSlot(TrtEngine engine, int laneCount) {
    super(engine.signature());
    this.engine = engine;
    this.lanes = new Lane[Math.max(1, laneCount)];
    Cuda.setDevice(engine.device().ordinal());
    try {
      for (int i = 0; i < lanes.length; i++) {
        newLane(i);
      }
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /** Builds lane {@code i} in place, so that close() frees whatever part of it exists if this fails. */
  private void newLane(int i) {
    IExecutionContext ctx = engine.engine().createExecutionContext();
    if (ctx == null || ctx.isNull()) {
      throw new EngineException("TensorRT could not create an execution context for " + signature.model() + " on "
          + engine.deviceDescription() + " (" + TrtLogger.INSTANCE.lastError() + "); one needs "
          + (engine.engine().getDeviceMemorySizeV2() >> 20) + " MiB of activation memory at the profile's max batch of "
          + signature.maxBatch() + " rows, and " + Cuda.memSummary(engine.device().ordinal()) + ". " + LESS_MEMORY);
    }
    Lane lane = new Lane(ctx);
    lanes[i] = lane;
    Cuda.check(cudaStreamCreateWithFlags(lane.stream, cudaStreamNonBlocking), "cudaStreamCreateWithFlags");
    // buffers for the largest shapes of any profile: the inputs' max, each output's largest
    Map<String, Long> outBytes = new LinkedHashMap<>();
    List<Map<String, long[][]>> profiles = engine.profiles();
    for (int p = 0; p < profiles.size(); p++) {
      if (p > 0) {
        selectProfile(lane, p);
      }
      profiles.get(p).forEach((name, r) -> setShape(ctx, name, r[2]));
      for (TensorInfo t : signature.outputs()) {
        long[] max = TrtTypes.toArray(ctx.getTensorShape(t.name()));
        for (long d : max) {
          if (d < 0) {
            throw new EngineException("output " + t.name() + " of " + signature.model() + " has a data-dependent shape "
                + TensorInfo.format(max) + "; such outputs are not supported");
          }
        }
        outBytes.merge(t.name(), TensorInfo.elements(max) * t.dataType().bytes(), Math::max);
      }
    }
    for (TensorInfo t : signature.inputs()) {
      allocate(lane, t.name(), TensorInfo.elements(t.max()) * t.dataType().bytes());
    }
    outBytes.forEach((name, bytes) -> allocate(lane, name, bytes));
  }

  /**
   * Switches the lane's context to optimization profile {@code p} (on its stream, after what was
   * queued before) and binds its buffers again, since a switch drops the context's bindings.
   */
  private void selectProfile(Lane lane, int p) {
    if (!lane.context.setOptimizationProfileAsync(p, lane.stream)) {
      throw new EngineException("TensorRT refused optimization profile " + p + " of " + signature.model() + ": "
          + TrtLogger.INSTANCE.lastError());
    }
    lane.profile = p;
    lane.buffers.forEach((name, ptr) -> {
      if (!lane.context.setTensorAddress(name, ptr)) {
        throw new EngineException("TensorRT refused the device address of " + name + ": " + TrtLogger.INSTANCE.lastError());
      }
    });
  }

  private static final String LESS_MEMORY = "Each lane of a slot holds a context and buffers for the profile's max "
      + "batch: lower " + TrtConf.BATCHES_IN_FLIGHT.key() + " (lanes per slot) or " + TrtConf.SLOTS_PER_ENGINE.key()
      + ", or build the plan with a smaller max batch (" + BuildFlags.command(BuildFlags.MAX_BATCH)
      + "); batches larger than the max are split, never refused";

  private void allocate(Lane lane, String name, long bytes) {
    Pointer p = new Pointer();
    int rc = cudaMalloc(p, Math.max(bytes, 1));
    if (rc == org.bytedeco.cuda.global.cudart.cudaErrorMemoryAllocation) {
      throw new EngineException("the GPU is out of memory: " + (bytes >> 20) + " MiB for tensor " + name + " of "
          + signature.model() + " at the profile's max batch of " + signature.maxBatch() + " rows did not fit ("
          + Cuda.memSummary(engine.device().ordinal()) + "). " + LESS_MEMORY);
    }
    Cuda.check(rc, "cudaMalloc(" + bytes + " bytes for " + name + ")");
    lane.buffers.put(name, p);
    lane.capacity.put(name, bytes);
    if (!lane.context.setTensorAddress(name, p)) {
      throw new EngineException("TensorRT refused the device address of " + name + ": " + TrtLogger.INSTANCE.lastError());
    }
  }

  @Override
  public int cudaDevice() {
    try {
      Cuda.setDevice(engine.device().ordinal());
      return Cuda.deviceOf(lanes[0].buffers.values().iterator().next());
    } catch (RuntimeException e) {
      return -1;  // only a metric: never fail a task for it
    }
  }

  private void setShape(IExecutionContext ctx, String name, long[] shape) {
    if (!ctx.setInputShape(name, TrtTypes.dims(shape))) {
      throw new EngineException("TensorRT refused shape " + TensorInfo.format(shape) + " for input " + name + " of "
          + signature.model() + ": " + TrtLogger.INSTANCE.lastError());
    }
  }

  @Override
  public int lanes() {
    return lanes.length;
  }

  @Override
  protected long[] computeOutputShape(TensorInfo out, Map<String, long[]> inputShapes) {
    Cuda.setDevice(engine.device().ordinal());
    IExecutionContext ctx = lanes[0].context;
    int profile = engine.profileFor(inputShapes);
    if (profile >= 0 && profile != lanes[0].profile) {
      selectProfile(lanes[0], profile);
    }
    inputShapes.forEach((name, shape) -> setShape(ctx, name, shape));
    return TrtTypes.toArray(ctx.getTensorShape(out.name()));
  }

  @Override
  protected PendingBatch run(List<Chunk> chunks) {
    if (closed) {
      throw new IllegalStateException("slot is closed");
    }
    Cuda.setDevice(engine.device().ordinal());
    Lane lane = lanes[next];
    next = (next + 1) % lanes.length;
    try {
      return enqueue(lane, chunks);
    } catch (RuntimeException e) {
      // copies already queued may still read or write the caller's host memory: let them finish first
      cudaStreamSynchronize(lane.stream);
      throw e;
    }
  }

  private PendingBatch enqueue(Lane lane, List<Chunk> chunks) {
    for (int k = 0; k < chunks.size(); k++) {
      Chunk c = chunks.get(k);
      record(lane, 4 * k);
      Map<String, long[]> shapes = new LinkedHashMap<>();
      c.inputs().forEach((name, t) -> shapes.put(name, t.shape()));
      int profile = engine.profileFor(shapes);
      if (profile < 0) {
        throw new EngineException("no optimization profile of " + signature.model() + " accepts the input shapes "
            + describe(shapes) + "; its profiles: " + describeProfiles());
      }
      if (profile != lane.profile) {
        selectProfile(lane, profile);
      }
      for (Map.Entry<String, HostTensor> e : c.inputs().entrySet()) {
        long[] shape = e.getValue().shape();
        setShape(lane.context, e.getKey(), shape);
        long bytes = TensorInfo.elements(shape) * signature.require(e.getKey(), true).dataType().bytes();
        copy(lane.buffers.get(e.getKey()), e.getValue().pointer(), bytes, cudaMemcpyHostToDevice, lane, e.getKey());
      }
      record(lane, 4 * k + 1);
      if (!lane.context.enqueueV3(lane.stream)) {
        throw new EngineException("TensorRT enqueueV3 failed for " + signature.model() + " on "
            + engine.deviceDescription() + ": " + TrtLogger.INSTANCE.lastError());
      }
      record(lane, 4 * k + 2);
      for (String name : c.outputs()) {
        // the context knows every output's shape from the input shapes just set
        long[] shape = TrtTypes.toArray(lane.context.getTensorShape(name));
        HostTensor target = c.output(name, shape);
        long bytes = TensorInfo.elements(shape) * signature.require(name, false).dataType().bytes();
        copy(target.pointer(), lane.buffers.get(name), bytes, cudaMemcpyDeviceToHost, lane, name);
      }
      record(lane, 4 * k + 3);
    }
    return new LanePending(lane, chunks.size());
  }

  private static String describe(Map<String, long[]> shapes) {
    StringBuilder b = new StringBuilder();
    shapes.forEach((n, s) -> b.append(b.length() == 0 ? "" : ", ").append(n).append(' ').append(TensorInfo.format(s)));
    return b.toString();
  }

  private String describeProfiles() {
    StringBuilder b = new StringBuilder();
    List<Map<String, long[][]>> profiles = engine.profiles();
    for (int p = 0; p < profiles.size(); p++) {
      b.append(p == 0 ? "" : "; ").append(p).append(':');
      profiles.get(p).forEach((n, r) -> b.append(' ').append(n).append(' ').append(TensorInfo.format(r[0])).append("..")
          .append(TensorInfo.format(r[2])));
    }
    return b.toString();
  }

  /** Records timing event {@code i} of the lane on its stream, creating it on first use. */
  private void record(Lane lane, int i) {
    while (lane.events.size() <= i) {
      CUevent_st e = new CUevent_st();
      Cuda.check(cudaEventCreate(e), "cudaEventCreate");
      lane.events.add(e);
    }
    Cuda.check(cudaEventRecord(lane.events.get(i), lane.stream), "cudaEventRecord");
  }

  private static long elapsedNanos(Lane lane, int from, int to) {
    float[] ms = new float[1];
    Cuda.check(cudaEventElapsedTime(ms, lane.events.get(from), lane.events.get(to)), "cudaEventElapsedTime");
    return (long) (ms[0] * 1e6);
  }

  private void copy(Pointer dst, Pointer src, long bytes, int kind, Lane lane, String tensor) {
    Cuda.check(cudaMemcpyAsync(dst, src, bytes, kind, lane.stream),
        "cudaMemcpyAsync (" + (kind == cudaMemcpyHostToDevice ? "H2D" : "D2H") + ", " + bytes + " bytes, " + tensor + ")");
  }

  private final class LanePending implements PendingBatch {
    private final Lane lane;
    private final int chunks;
    private StageTimes times;

    LanePending(Lane lane, int chunks) {
      this.lane = lane;
      this.chunks = chunks;
    }

    private CUevent_st last() {
      return lane.events.get(4 * chunks - 1);
    }

    @Override
    public void await() {
      if (times != null) {
        return;
      }
      Cuda.setDevice(engine.device().ordinal());
      Cuda.check(cudaEventSynchronize(last()), "batch on " + engine.deviceDescription() + " for " + signature.model());
      // read now: the lane's events are re-recorded by its next batch
      long h2d = 0;
      long compute = 0;
      long d2h = 0;
      for (int k = 0; k < chunks; k++) {
        h2d += elapsedNanos(lane, 4 * k, 4 * k + 1);
        compute += elapsedNanos(lane, 4 * k + 1, 4 * k + 2);
        d2h += elapsedNanos(lane, 4 * k + 2, 4 * k + 3);
      }
      times = new StageTimes(h2d, compute, d2h);
    }

    @Override
    public StageTimes timings() {
      return times == null ? StageTimes.ZERO : times;
    }
  }

  /** Synchronizes every lane, then frees streams, events and device buffers. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    Cuda.setDevice(engine.device().ordinal());
    List<String> failures = new ArrayList<>();
    for (Lane lane : lanes) {
      if (lane == null) {
        continue;
      }
      if (!lane.stream.isNull()) {
        cudaStreamSynchronize(lane.stream);
      }
      // the context first: it may reference the buffers; then what it ran on
      TrtDelete.delete(lane.context);
      for (Pointer p : lane.buffers.values()) {
        if (cudaFree(p) != 0) {
          failures.add("cudaFree");
        }
      }
      lane.buffers.clear();
      for (CUevent_st e : lane.events) {
        if (cudaEventDestroy(e) != 0) {
          failures.add("cudaEventDestroy");
        }
      }
      lane.events.clear();
      if (!lane.stream.isNull() && cudaStreamDestroy(lane.stream) != 0) {
        failures.add("cudaStreamDestroy");
      }
    }
    if (!failures.isEmpty()) {
      throw new EngineException("freeing a slot of " + signature.model() + " failed: " + failures);
    }
  }
}
