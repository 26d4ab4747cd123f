/**
 * Benchmarks for a GPU host, outside the shipped jars: {@code TrtBench} (the engine alone on
 * device-resident data and the naive synchronous loop, on TensorRT and CUDA directly), {@code
 * PipelineBench} (the arrow-io pipeline alone against those references) and {@code SparkBench} (Spark
 * jobs against Spark's own scan). Run by the scripts in {@code tools/bench/}.
 *
 * <p>May import: anything (every module, TensorRT and CUDA directly, Spark). No other module may import
 * this package.
 */
package dev.trtspark.bench;
