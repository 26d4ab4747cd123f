package dev.trtspark.bench;

import dev.trtspark.arrow.memory.TensorAllocators;
import dev.trtspark.arrow.pipeline.BatchResult;
import dev.trtspark.arrow.pipeline.InferenceRunner;
import dev.trtspark.conf.ConfigResolver;
import dev.trtspark.conf.ResolvedConfig;
import dev.trtspark.conf.TensorBinding;
import dev.trtspark.engine.Engines;
import dev.trtspark.engine.cache.EngineCache;
import dev.trtspark.engine.cache.EngineLease;
import dev.trtspark.engine.cache.SlotLease;
import dev.trtspark.engine.model.ArtifactLoader;
import dev.trtspark.engine.model.ModelArtifact;
import dev.trtspark.engine.model.PlanMetadata;
import dev.trtspark.engine.trt.Cuda;
import dev.trtspark.engine.trt.PlanBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.util.TransferPair;

/**
 * Pipeline benchmark (GPU host): for an ONNX model with one float32 input, builds a plan, then prints
 * rows/s for the engine alone on device-resident data, the naive synchronous loop (H2D, enqueueV3, D2H,
 * sync per batch), and the arrow-io pipeline end to end over in-memory Arrow batches (in pinned memory,
 * as the Spark side writes them) with 1..4 batches in flight, against the target
 * 0.95 x min(engine alone, pinned H2D bandwidth / input bytes per row).
 *
 * <p>Usage: {@code PipelineBench MODEL.onnx BATCH ITERATIONS [PRECISIONS] [PLAN_OUT]}, PRECISIONS as
 * {@code spark.trt.build.precision} takes them (default {@code fp32,tf32}, TensorRT's own default).
 */
public final class PipelineBench {
  private PipelineBench() {}

  public static void main(String[] args) throws Exception {
    String onnxPath = args[0];
    int batch = Integer.parseInt(args[1]);
    int iterations = Integer.parseInt(args[2]);
    String precision = args.length > 3 ? args[3] : "fp32,tf32";
    String planPath = args.length > 4 ? args[4] : "/tmp/bench-" + Math.abs(onnxPath.hashCode()) + ".plan";
    ResolvedConfig build = ConfigResolver.resolve(Map.of("build.precision", precision, "build.maxBatch",
        Integer.toString(batch), "build.optBatch", Integer.toString(batch), "build.timingCache", "/tmp/bench-timing.cache"),
        Map.of());
    ModelArtifact onnx = ArtifactLoader.load(onnxPath);
    PlanBuilder.BuiltPlan built = PlanBuilder.build(onnx, build, 0);
    built.write(planPath, new org.apache.hadoop.conf.Configuration());
    ModelArtifact plan = ArtifactLoader.load(planPath);
    PlanMetadata.Tensor input = built.metadata().tensors().stream().filter(t -> t.mode().equals("input")).findFirst()
        .orElseThrow();
    String output = built.metadata().tensors().stream().filter(t -> t.mode().equals("output")).findFirst().orElseThrow().name();
    long[] shape = input.shape().clone();
    shape[0] = batch;
    long perRow = dev.trtspark.engine.tensor.TensorInfo.elementsPerRow(shape);
    System.out.printf("model %s (%s), batch %d, input %s %s, plan %.1f MB built in %.1f s on %s, TensorRT %s%n",
        onnxPath, precision, batch, input.name(), java.util.Arrays.toString(shape), built.size() / 1e6,
        built.buildSeconds(), Cuda.device(0), Cuda.probe().tensorrtVersion());
    built.close();  // the plan was written; what follows loads it from its file

    TrtBench.Reference ref = TrtBench.measure(plan, build, 0, Map.of(input.name(), shape), iterations);
    double bytesPerRow = perRow * 4.0;
    double pcieBound = ref.h2dBytesPerSec() / bytesPerRow;
    double target = 0.95 * Math.min(ref.engineAloneRowsPerSec(), pcieBound);
    System.out.printf("  engine alone, device-resident      %12.0f rows/s%n", ref.engineAloneRowsPerSec());
    System.out.printf("  naive loop (H2D+enqueue+D2H+sync)  %12.0f rows/s%n", ref.naiveLoopRowsPerSec());
    System.out.printf("  pinned H2D %.1f GB/s -> PCIe bound  %12.0f rows/s (%.0f bytes/row)%n",
        ref.h2dBytesPerSec() / 1e9, pcieBound, bytesPerRow);
    System.out.printf("  target 0.95 x min(engine, PCIe)    %12.0f rows/s%n", target);

    BufferAllocator allocator = TensorAllocators.getOrCreate(8L << 30).newTaskAllocator("bench");
    List<FixedSizeListVector> prebuilt = new ArrayList<>();
    SplittableRandom rnd = new SplittableRandom(1);
    for (int k = 0; k < 4; k++) {
      FixedSizeListVector v = FixedSizeListVector.empty(input.name(), (int) perRow, allocator);
      v.addOrGetVector(FieldType.notNullable(new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE)));
      v.setInitialCapacity(batch);
      v.allocateNew();
      Float4Vector data = (Float4Vector) v.getDataVector();
      int n = (int) (batch * perRow);
      if (data.getValueCapacity() < n) {
        data.allocateNew(n);
      }
      for (int i = 0; i < n; i++) {
        data.set(i, (float) rnd.nextDouble(-1, 1));
      }
      data.setValueCount(n);
      for (int i = 0; i < batch; i++) {
        v.setNotNull(i);
      }
      v.setValueCount(batch);
      prebuilt.add(v);
    }
    for (int inFlight = 1; inFlight <= 4; inFlight++) {
      EngineCache.existing().ifPresent(EngineCache::evictUnused);  // the next lease loads again, with this round's lanes
      ResolvedConfig run = ConfigResolver.resolve(Map.of("backend", "tensorrt", "batchesInFlight", Integer.toString(inFlight),
          "slotsPerEngine", "1"), Map.of());
      try (EngineLease lease = Engines.lease(plan, 0, run); SlotLease slot = lease.leaseSlot();
          InferenceRunner runner = new InferenceRunner(slot, List.of(new TensorBinding(input.name(), input.name())),
              List.of(new TensorBinding(output, output)), run, allocator, TensorAllocators.existing())) {
        List<TransferPair> sources = new ArrayList<>();
        prebuilt.forEach(v -> sources.add(v.getTransferPair(allocator)));
        int warm = Math.max(5, iterations / 10);
        long t0 = 0;
        long rows = 0;
        for (int it = 0; it < warm + iterations; it++) {
          if (it == warm) {
            runner.finish().forEach(BatchResult::close);
            t0 = System.nanoTime();
          }
          TransferPair tp = sources.get(it % sources.size());
          tp.splitAndTransfer(0, batch);
          VectorSchemaRoot root = new VectorSchemaRoot(List.of((FieldVector) tp.getTo()));
          root.setRowCount(batch);
          for (BatchResult r : runner.submit(root)) {
            rows += it >= warm ? r.rows() : 0;
            r.close();
          }
          // a fresh target each time: the runner owns (and closes) what it is given
          sources.set(it % sources.size(), prebuilt.get(it % sources.size()).getTransferPair(allocator));
        }
        for (BatchResult r : runner.finish()) {
          rows += r.rows();
          r.close();
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        double rate = (double) batch * iterations / secs;
        System.out.printf("  pipeline, %d in flight              %12.0f rows/s = %5.1f%% of target; %s%n", inFlight, rate,
            100 * rate / target, runner.metrics());
      }
    }
    prebuilt.forEach(FixedSizeListVector::close);
    allocator.close();
  }
}
