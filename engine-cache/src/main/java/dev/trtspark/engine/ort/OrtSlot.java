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
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Runs batches synchronously on the engine's shared session, reading inputs from and writing outputs
 * directly into the caller's host memory (ONNX Runtime tensors over those addresses, no copies);
 * outputs whose shape only the run tells (other dynamic dimensions than rows) are sized by ONNX
 * Runtime and copied out once. Only the outputs asked for are requested. Owns
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
    for (Chunk c : chunks) {
      runOne(c);
    }
    return PendingBatch.completed(new StageTimes(0, System.nanoTime() - t0, 0));
  }

  private void runOne(Chunk c) {
    List<OnnxTensor> owned = new ArrayList<>();
    try {
      Map<String, OnnxTensor> in = new LinkedHashMap<>();
      for (Map.Entry<String, HostTensor> e : c.inputs().entrySet()) {
        in.put(e.getKey(), wrap(signature.require(e.getKey(), true), e.getValue(), owned));
      }
      long rows = c.rows();
      Map<String, long[]> known = new LinkedHashMap<>();
      for (String name : c.outputs()) {
        signature.declaredOutputShape(signature.require(name, false), rows).ifPresent(s -> known.put(name, s));
      }
      OrtSession session = engine.session();
      if (known.size() == c.outputs().size()) {
        // every shape follows from the inputs: ONNX Runtime writes straight into the caller's buffers
        Map<String, OnnxTensor> out = new LinkedHashMap<>();
        for (String name : c.outputs()) {
          out.put(name, wrap(signature.require(name, false), c.output(name, known.get(name)), owned));
        }
        session.run(in, out).close();
        return;
      }
      // some output has another dynamic dimension: ONNX Runtime sizes it, we copy it out once
      try (OrtSession.Result result = session.run(in, new LinkedHashSet<>(c.outputs()))) {
        for (String name : c.outputs()) {
          OnnxTensor t = (OnnxTensor) result.get(name).orElseThrow();
          long[] shape = t.getInfo().getShape();
          long bytes = TensorInfo.elements(shape) * signature.require(name, false).dataType().bytes();
          HostTensor target = c.output(name, shape);
          if (bytes > 0) {
            target.view(bytes).put(t.getByteBuffer().order(ByteOrder.nativeOrder()));
          }
        }
      }
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
