package dev.trtspark.engine.trt;

import dev.trtspark.engine.backend.Engine;
import dev.trtspark.engine.backend.ExecutionSlot;
import dev.trtspark.engine.tensor.ModelSignature;
import dev.trtspark.engine.tensor.TensorInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.tensorrt.global.nvinfer.ExecutionContextAllocationStrategy;
import org.bytedeco.tensorrt.global.nvinfer.OptProfileSelector;
import org.bytedeco.tensorrt.global.nvinfer.TensorIOMode;
import org.bytedeco.tensorrt.nvinfer.ICudaEngine;
import org.bytedeco.tensorrt.nvinfer.IExecutionContext;

/**
 * A deserialized TensorRT engine on one GPU, with its signature read from the engine (IO tensors,
 * types, shapes, optimization profile 0). Owns the {@link ICudaEngine} and deletes it in
 * {@link #close()} ({@link TrtDelete}), which returns its GPU memory; one engine per (plan, device)
 * per JVM, through the engine cache.
 */
final class TrtEngine implements Engine {
  private final ICudaEngine engine;
  private final Cuda.Device device;
  private final String model;
  private final long planBytes;
  private final List<Map<String, long[][]>> profiles = new ArrayList<>();
  private final ModelSignature signature;
  private volatile boolean closed;

  TrtEngine(ICudaEngine engine, Cuda.Device device, String model, long planBytes) {
    this.engine = engine;
    this.device = device;
    this.model = model;
    this.planBytes = planBytes;
    this.signature = readSignature();
  }

  private ModelSignature readSignature() {
    List<TensorInfo> inputs = new ArrayList<>();
    List<TensorInfo> outputs = new ArrayList<>();
    int count = engine.getNbOptimizationProfiles();
    for (int p = 0; p < count; p++) {
      profiles.add(new LinkedHashMap<>());
    }
    for (int i = 0; i < engine.getNbIOTensors(); i++) {
      String name = engine.getIOTensorName(i);
      // the int overload: the enum-returning one does not compare reliably through the presets
      boolean input = engine.getTensorIOMode(new BytePointer(name)) == TensorIOMode.kINPUT.value;
      var type = TrtTypes.toDataType(engine.getTensorDataType(name), model, name);
      long[] shape = TrtTypes.toArray(engine.getTensorShape(name));
      if (!input) {
        outputs.add(TensorInfo.output(name, type, shape));
        continue;
      }
      for (int p = 0; p < count; p++) {
        profiles.get(p).put(name, new long[][] {
            TrtTypes.toArray(engine.getProfileShape(name, p, OptProfileSelector.kMIN)),
            TrtTypes.toArray(engine.getProfileShape(name, p, OptProfileSelector.kOPT)),
            TrtTypes.toArray(engine.getProfileShape(name, p, OptProfileSelector.kMAX))});
      }
      // what the profiles accept together: any length one of them takes; the batch every one takes
      long[] min = profiles.get(0).get(name)[0].clone();
      long[] max = profiles.get(0).get(name)[2].clone();
      for (Map<String, long[][]> profile : profiles) {
        long[][] r = profile.get(name);
        for (int d = 0; d < shape.length; d++) {
          boolean batch = d == 0 && shape[0] < 0;
          min[d] = batch ? Math.max(min[d], r[0][d]) : Math.min(min[d], r[0][d]);
          max[d] = batch ? Math.min(max[d], r[2][d]) : Math.max(max[d], r[2][d]);
        }
      }
      inputs.add(new TensorInfo(name, true, type, shape, min, profiles.get(0).get(name)[1], max));
    }
    ModelSignature sig = nameLengthDimensions(inputs, outputs);
    return count > 1 ? sig.withLengthBuckets(lengthBuckets(inputs)) : sig;
  }

  /** The longest length of the padded inputs in each profile, ascending and distinct. */
  private long[] lengthBuckets(List<TensorInfo> inputs) {
    java.util.TreeSet<Long> bounds = new java.util.TreeSet<>();
    for (Map<String, long[][]> profile : profiles) {
      long longest = -1;
      for (TensorInfo t : inputs) {
        if (t.isPadded()) {
          longest = Math.max(longest, profile.get(t.name())[2][1]);
        }
      }
      if (longest > 0) {
        bounds.add(longest);
      }
    }
    return bounds.size() > 1 ? bounds.stream().mapToLong(Long::longValue).toArray() : new long[0];
  }

  /**
   * The first optimization profile that accepts every input at {@code shapes}, or -1. Profiles of one
   * plan share the batch range, so rows never decide it; lengths do.
   */
  int profileFor(Map<String, long[]> shapes) {
    for (int p = 0; p < profiles.size(); p++) {
      boolean fits = true;
      for (Map.Entry<String, long[]> e : shapes.entrySet()) {
        long[][] r = profiles.get(p).get(e.getKey());
        long[] s = e.getValue();
        for (int d = 0; d < s.length && fits; d++) {
          fits = s[d] >= r[0][d] && s[d] <= r[2][d];
        }
      }
      if (fits) {
        return p;
      }
    }
    return -1;
  }

  /** The optimization profiles: per profile, per input, its {min, opt, max}. */
  List<Map<String, long[][]>> profiles() {
    return profiles;
  }

  /**
   * A plan keeps no dimension names, so which output dimensions follow a padded input's length is
   * found by asking TensorRT's shape inference twice, with that length at its profile's min and max
   * (a context without device memory; no inference runs). Such dimensions, and the padded inputs'
   * dimension 1, get one shared name, which is how {@link ModelSignature} pairs them on every backend.
   */
  private ModelSignature nameLengthDimensions(List<TensorInfo> inputs, List<TensorInfo> outputs) {
    List<TensorInfo> padded = inputs.stream().filter(TensorInfo::isPadded).toList();
    boolean dynamicOutput = outputs.stream().anyMatch(o -> {
      long[] s = o.shape();
      for (int d = 1; d < s.length; d++) {
        if (s[d] < 0) {
          return true;
        }
      }
      return false;
    });
    if (padded.isEmpty() || !dynamicOutput) {
      return new ModelSignature(model, inputs, outputs);
    }
    // a fresh context runs profile 0: probe inside it
    Map<String, long[][]> first = profiles.get(0);
    long lo = padded.stream().mapToLong(t -> first.get(t.name())[0][1]).max().getAsLong();
    long hi = padded.stream().mapToLong(t -> first.get(t.name())[2][1]).min().getAsLong();
    if (lo >= hi) {
      return new ModelSignature(model, inputs, outputs);
    }
    IExecutionContext ctx = engine.createExecutionContext(ExecutionContextAllocationStrategy.kUSER_MANAGED.value);
    if (ctx == null || ctx.isNull()) {
      return new ModelSignature(model, inputs, outputs);
    }
    List<long[][]> seen = new ArrayList<>();
    try {
      for (long len : new long[] {lo, hi}) {
        for (TensorInfo t : inputs) {
          long[] shape = first.get(t.name())[1].clone();
          if (t.isPadded()) {
            shape[1] = len;
          }
          ctx.setInputShape(t.name(), TrtTypes.dims(shape));
        }
        long[][] out = new long[outputs.size()][];
        for (int i = 0; i < outputs.size(); i++) {
          out[i] = TrtTypes.toArray(ctx.getTensorShape(outputs.get(i).name()));
        }
        seen.add(out);
      }
    } finally {
      TrtDelete.delete(ctx);
    }
    String length = "length of " + padded.get(0).name();
    List<TensorInfo> named = new ArrayList<>();
    for (TensorInfo t : inputs) {
      named.add(t.isPadded() ? t.withDimNames(new String[] {null, length}) : t);
    }
    List<TensorInfo> outs = new ArrayList<>();
    for (int i = 0; i < outputs.size(); i++) {
      long[] declared = outputs.get(i).shape();
      String[] names = new String[declared.length];
      for (int d = 1; d < declared.length; d++) {
        long[] a = seen.get(0)[i];
        long[] b = seen.get(1)[i];
        if (declared[d] < 0 && a.length == declared.length && a[d] == lo && b[d] == hi) {
          names[d] = length;
        }
      }
      outs.add(outputs.get(i).withDimNames(names));
    }
    return new ModelSignature(model, named, outs);
  }

  ICudaEngine engine() {
    return engine;
  }

  Cuda.Device device() {
    return device;
  }

  @Override
  public ModelSignature signature() {
    return signature;
  }

  @Override
  public String backendName() {
    return TrtBackend.NAME;
  }

  @Override
  public String deviceDescription() {
    return device.toString();
  }

  @Override
  public long sizeBytes() {
    return planBytes;
  }

  @Override
  public ExecutionSlot newSlot(int lanes) {
    if (closed) {
      throw new IllegalStateException("engine " + model + " was evicted");
    }
    return new TrtSlot(this, lanes);
  }

  /** Deletes the engine (its slots and their contexts were closed first, by the engine's pool). Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    Cuda.setDevice(device.ordinal());
    TrtDelete.delete(engine);
  }
}
