/**
 * The front door of engine-cache: {@code Engines} picks the backend for a model and a device and
 * leases engines from the JVM's cache; {@code EngineException} is the one unchecked exception the
 * module throws. The only package outside the backends that names them.
 *
 * <p>May import: conf, every engine-cache package (including {@code trt} and {@code ort}).
 * Must not import: Spark, Arrow, or arrow-io, spark-udf, jobs.
 */
package dev.trtspark.engine;
