/**
 * What the tests of every module share, so that none reaches into another module's folders or writes
 * its own copy: {@code Repo} (the checkout's root), {@code TestModels} (the ONNX test models, from the
 * classpath), {@code Digits} (the digits example's files and data) and {@code AllocatorLeakCheck} (a
 * fresh Arrow allocator per test, a leak fails it). A test library: modules depend on it in test scope,
 * and no main code uses it. The shared Spark session is spark-udf's {@code SparkTestSession} (its
 * test-jar), so that this module stays free of Spark.
 *
 * <p>May import: the JDK, JUnit Jupiter's API, Arrow memory (for {@code AllocatorLeakCheck} only; an
 * optional dependency, so modules without Arrow do not get it). Must not import: any other trt-spark
 * module, Spark, TensorRT/CUDA ({@code org.bytedeco}), ONNX Runtime.
 */
package dev.trtspark.testing;
