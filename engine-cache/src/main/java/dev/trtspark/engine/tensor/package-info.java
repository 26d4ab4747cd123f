/**
 * Tensors as every backend sees them: element types ({@code DType}), a model's IO tensors and
 * shape rules ({@code ModelSignature}, {@code TensorInfo}), profile ranges from the build options,
 * and {@code HostTensor}, an address plus shape in host memory someone else owns.
 *
 * <p>May import: conf, engine, engine.memory, JavaCPP's {@code org.bytedeco.javacpp}.
 * Must not import: engine.trt, engine.ort, TensorRT/CUDA, ONNX Runtime, Spark, Arrow.
 */
package dev.trtspark.engine.tensor;
