package dev.trtspark.bench;

import static org.bytedeco.cuda.global.cudart.cudaFree;
import static org.bytedeco.cuda.global.cudart.cudaFreeHost;
import static org.bytedeco.cuda.global.cudart.cudaGetErrorString;
import static org.bytedeco.cuda.global.cudart.cudaMalloc;
import static org.bytedeco.cuda.global.cudart.cudaMallocHost;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyAsync;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyHostToDevice;
import static org.bytedeco.cuda.global.cudart.cudaSetDevice;
import static org.bytedeco.cuda.global.cudart.cudaStreamCreate;
import static org.bytedeco.cuda.global.cudart.cudaStreamDestroy;
import static org.bytedeco.cuda.global.cudart.cudaStreamSynchronize;

import dev.trtspark.conf.ResolvedConfig;
import dev.trtspark.engine.backend.Engine;
import dev.trtspark.engine.backend.ExecutionSlot;
import dev.trtspark.engine.model.ModelArtifact;
import dev.trtspark.engine.tensor.HostTensor;
import dev.trtspark.engine.tensor.TensorInfo;
import dev.trtspark.engine.trt.PinnedHostMemory;
import dev.trtspark.engine.trt.TrtBackend;
import dev.trtspark.engine.trt.TrtDelete;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.tensorrt.global.nvinfer;
import org.bytedeco.tensorrt.nvinfer.Dims64;
import org.bytedeco.tensorrt.nvinfer.ICudaEngine;
import org.bytedeco.tensorrt.nvinfer.IExecutionContext;
import org.bytedeco.tensorrt.nvinfer.ILogger;
import org.bytedeco.tensorrt.nvinfer.IRuntime;

/**
 * The reference points a pipeline is judged against, on one engine outside trt-spark's cache: the
 * engine alone on device-resident data and the pinned H2D bandwidth, both on TensorRT and CUDA directly
 * (a context, device buffers and a stream of this class's own, as NVIDIA's samples do), and the naive
 * loop (pinned H2D, enqueueV3, D2H, synchronize, one batch at a time) through trt-spark's public slot API.
 */
public final class TrtBench {
  private TrtBench() {}

  /** Rows per second of each reference, and the H2D bandwidth in bytes per second. */
  public record Reference(double engineAloneRowsPerSec, double naiveLoopRowsPerSec, double h2dBytesPerSec,
      long inputBytesPerBatch) {}

  /** Measures with every input at {@code shapes} (dimension 0 = rows) for {@code iterations} batches. */
  public static Reference measure(ModelArtifact plan, ResolvedConfig config, int device, Map<String, long[]> shapes,
      int iterations) {
    double naive;
    long rows = 0;
    long inputBytes = 0;
    try (Engine engine = new TrtBackend().load(plan, device, config); ExecutionSlot slot = engine.newSlot(1)) {
      PinnedHostMemory pinned = PinnedHostMemory.INSTANCE;
      Map<String, HostTensor> in = new LinkedHashMap<>();
      Map<String, HostTensor> out = new LinkedHashMap<>();
      try {
        for (TensorInfo t : engine.signature().inputs()) {
          long[] shape = shapes.get(t.name());
          long bytes = TensorInfo.elements(shape) * t.dataType().bytes();
          in.put(t.name(), new HostTensor(pinned.allocate(bytes), bytes, shape));
          rows = shape[0];
          inputBytes += bytes;
        }
        Map<String, long[]> outShapes = slot.outputShapes(shapes);
        for (TensorInfo t : engine.signature().outputs()) {
          long bytes = TensorInfo.elements(outShapes.get(t.name())) * t.dataType().bytes();
          out.put(t.name(), new HostTensor(pinned.allocate(bytes), bytes, null));
        }
        for (int i = 0; i < 5; i++) {
          slot.submit(in, out).await();
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < iterations; i++) {
          slot.submit(in, out).await();
        }
        naive = (System.nanoTime() - t0) / 1e9;
      } finally {
        in.values().forEach(h -> pinned.free(h.address(), h.capacityBytes()));
        out.values().forEach(h -> pinned.free(h.address(), h.capacityBytes()));
      }
    }
    double[] raw = deviceResident(plan, device, shapes, iterations);
    return new Reference(rows * iterations / raw[0], rows * iterations / naive, raw[1], inputBytes);
  }

  /** TensorRT keeps a pointer to its logger: one for the JVM's life, with the one runtime that uses it. */
  private static final Log LOG = new Log();
  private static IRuntime runtime;

  private static synchronized IRuntime runtime() {
    if (runtime == null) {
      runtime = nvinfer.createInferRuntime(LOG);
    }
    return runtime;
  }

  /** Seconds for {@code iterations} back-to-back enqueueV3 on device-resident buffers, and H2D bytes/s. */
  private static double[] deviceResident(ModelArtifact plan, int device, Map<String, long[]> shapes, int iterations) {
    check(cudaSetDevice(device), "cudaSetDevice");
    List<Pointer> deviceBuffers = new ArrayList<>();
    CUstream_st stream = new CUstream_st();
    check(cudaStreamCreate(stream), "cudaStreamCreate");
    byte[] bytes = plan.bytes();
    ICudaEngine engine = null;
    IExecutionContext ctx = null;
    try (BytePointer blob = new BytePointer(bytes.length).put(bytes)) {
      engine = runtime().deserializeCudaEngine(blob, bytes.length);
      if (engine == null || engine.isNull()) {
        throw new IllegalStateException("TensorRT could not deserialize " + plan.uri() + " (see its messages above)");
      }
      ctx = engine.createExecutionContext();
      if (ctx == null || ctx.isNull()) {
        throw new IllegalStateException("TensorRT could not create an execution context for " + plan.uri());
      }
      for (int i = 0; i < engine.getNbIOTensors(); i++) {
        String name = engine.getIOTensorName(i);
        if (engine.getTensorIOMode(new BytePointer(name)) == nvinfer.TensorIOMode.kINPUT.value) {
          long[] s = shapes.get(name);
          Dims64 d = new Dims64();
          d.nbDims(s.length);
          for (int k = 0; k < s.length; k++) {
            d.d(k, s[k]);
          }
          require(ctx.setInputShape(name, d), "setInputShape " + name);
        }
      }
      Pointer firstInput = null;
      long firstInputBytes = 0;
      for (int i = 0; i < engine.getNbIOTensors(); i++) {
        String name = engine.getIOTensorName(i);
        Dims64 d = ctx.getTensorShape(name);
        long elements = 1;
        for (int k = 0; k < d.nbDims(); k++) {
          elements *= d.d(k);
        }
        long size = elements * elementBytes(engine.getTensorDataType(name).value);
        Pointer p = new Pointer();
        check(cudaMalloc(p, Math.max(size, 1)), "cudaMalloc " + name);
        deviceBuffers.add(p);
        require(ctx.setTensorAddress(name, p), "setTensorAddress " + name);
        if (firstInput == null && engine.getTensorIOMode(new BytePointer(name)) == nvinfer.TensorIOMode.kINPUT.value) {
          firstInput = p;
          firstInputBytes = size;
        }
      }
      for (int i = 0; i < 10; i++) {
        require(ctx.enqueueV3(stream), "enqueueV3");
      }
      check(cudaStreamSynchronize(stream), "cudaStreamSynchronize");
      long t0 = System.nanoTime();
      for (int i = 0; i < iterations; i++) {
        require(ctx.enqueueV3(stream), "enqueueV3");
      }
      check(cudaStreamSynchronize(stream), "cudaStreamSynchronize");
      double alone = (System.nanoTime() - t0) / 1e9;
      Pointer host = new Pointer();
      check(cudaMallocHost(host, firstInputBytes), "cudaMallocHost");
      try {
        long t1 = System.nanoTime();
        for (int i = 0; i < iterations; i++) {
          check(cudaMemcpyAsync(firstInput, host, firstInputBytes, cudaMemcpyHostToDevice, stream), "cudaMemcpyAsync");
        }
        check(cudaStreamSynchronize(stream), "cudaStreamSynchronize");
        double h2d = (System.nanoTime() - t1) / 1e9;
        return new double[] {alone, firstInputBytes * (double) iterations / h2d};
      } finally {
        cudaFreeHost(host);
      }
    } finally {
      cudaStreamSynchronize(stream);
      TrtDelete.delete(ctx);      // contexts before their engine
      TrtDelete.delete(engine);
      deviceBuffers.forEach(p -> cudaFree(p));
      cudaStreamDestroy(stream);
    }
  }

  private static long elementBytes(int trtType) {
    if (trtType == nvinfer.DataType.kFLOAT.value || trtType == nvinfer.DataType.kINT32.value) {
      return 4;
    }
    if (trtType == nvinfer.DataType.kHALF.value || trtType == nvinfer.DataType.kBF16.value) {
      return 2;
    }
    if (trtType == nvinfer.DataType.kINT64.value) {
      return 8;
    }
    return 1;
  }

  private static void check(int rc, String what) {
    if (rc != 0) {
      throw new IllegalStateException(what + ": " + cudaGetErrorString(rc).getString());
    }
  }

  private static void require(boolean ok, String what) {
    if (!ok) {
      throw new IllegalStateException("TensorRT refused " + what);
    }
  }

  /** Prints TensorRT's warnings and errors. */
  private static final class Log extends ILogger {
    @Override
    public void log(Severity severity, String msg) {
      if (severity.value <= Severity.kWARNING.value) {
        System.err.println("tensorrt: " + msg);
      }
    }
  }
}
