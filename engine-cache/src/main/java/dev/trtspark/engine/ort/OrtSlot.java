package dev.trtspark.engine.ort;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
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

/**
 * Runs batches synchronously on the engine's shared session, reading inputs from and writing outputs
 * directly into the caller's host memory (ONNX Runtime tensors over those addresses, no copies). Owns
 * nothing native between calls, so {@link #close()} has nothing to free.
 */
final class OrtSlot extends AbstractSlot {
  private final OrtEngine engine;

  OrtSlot(OrtEngine engine) {
    super(engine.signature());
    this.engine = engine;
  }

  @Override
  protected PendingBatch run(List<Chunk> chunks) {
    long t0 = System.nanoTime();
    Map<String, long[]> lastShapes = Map.of();
    for (Chunk c : chunks) {
      lastShapes = runOne(c);
    }
    return PendingBatch.completed(lastShapes, new StageTimes(0, System.nanoTime() - t0, 0));
  }

  private Map<String, long[]> runOne(Chunk c) {
    List<OnnxTensor> owned = new ArrayList<>();
    try {
      Map<String, OnnxTensor> in = new LinkedHashMap<>();
      for (Map.Entry<String, HostTensor> e : c.inputs().entrySet()) {
        in.put(e.getKey(), wrap(signature.require(e.getKey(), true), e.getValue(), owned));
      }
      Map<String, OnnxTensor> out = new LinkedHashMap<>();
      Map<String, long[]> shapes = new LinkedHashMap<>();
      for (Map.Entry<String, HostTensor> e : c.outputs().entrySet()) {
        out.put(e.getKey(), wrap(signature.require(e.getKey(), false), e.getValue(), owned));
        shapes.put(e.getKey(), e.getValue().shape());
      }
      OrtSession session = engine.session();
      // the outputs land in the caller's buffers (pinned outputs); the result only has to be closed
      session.run(in, out).close();
      return shapes;
    } catch (OrtException e) {
      throw new EngineException("ONNX Runtime failed on model " + signature.model() + ": " + e.getMessage(), e);
    } finally {
      owned.forEach(OnnxTensor::close);
    }
  }

  private OnnxTensor wrap(TensorInfo t, HostTensor h, List<OnnxTensor> owned) throws OrtException {
    long[] shape = h.shape();
    long bytes = TensorInfo.elements(shape) * t.dataType().bytes();
    OnnxTensor tensor = OnnxTensor.createTensor(engine.env(), h.view(bytes), shape, OrtTypes.toJavaType(t.dataType()));
    owned.add(tensor);
    return tensor;
  }

  @Override
  public int lanes() {
    return 1;
  }

  @Override
  public void close() {
    // nothing native is held between batches
  }
}
