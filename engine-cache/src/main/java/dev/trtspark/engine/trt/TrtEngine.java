package dev.trtspark.engine.trt;

import dev.trtspark.engine.backend.Engine;
import dev.trtspark.engine.backend.ExecutionSlot;
import dev.trtspark.engine.tensor.ModelSignature;
import dev.trtspark.engine.tensor.TensorInfo;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.tensorrt.global.nvinfer.OptProfileSelector;
import org.bytedeco.tensorrt.global.nvinfer.TensorIOMode;
import org.bytedeco.tensorrt.nvinfer.ICudaEngine;

/**
 * A deserialized TensorRT engine on one GPU, with its signature read from the engine (IO tensors,
 * types, shapes, optimization profile 0). Owns the {@link ICudaEngine}, which the JavaCPP presets
 * cannot destroy: {@link #close()} only marks it unusable, the GPU memory stays until the JVM exits.
 * Hence one engine per (plan, device) per JVM, through the engine cache.
 */
final class TrtEngine implements Engine {
  private final ICudaEngine engine;
  private final Cuda.Device device;
  private final String model;
  private final long planBytes;
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
    for (int i = 0; i < engine.getNbIOTensors(); i++) {
      String name = engine.getIOTensorName(i);
      // the int overload: the enum-returning one does not compare reliably through the presets
      boolean input = engine.getTensorIOMode(new BytePointer(name)) == TensorIOMode.kINPUT.value;
      var type = TrtTypes.toDataType(engine.getTensorDataType(name), model, name);
      long[] shape = TrtTypes.toArray(engine.getTensorShape(name));
      if (input) {
        inputs.add(new TensorInfo(name, true, type, shape,
            TrtTypes.toArray(engine.getProfileShape(name, 0, OptProfileSelector.kMIN)),
            TrtTypes.toArray(engine.getProfileShape(name, 0, OptProfileSelector.kOPT)),
            TrtTypes.toArray(engine.getProfileShape(name, 0, OptProfileSelector.kMAX))));
      } else {
        outputs.add(TensorInfo.output(name, type, shape));
      }
    }
    return new ModelSignature(model, inputs, outputs);
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

  @Override
  public void close() {
    closed = true;
  }
}
