/**
 * The per-JVM engine cache: one engine per (sha256, device, backend), loaded once, handed out as
 * {@code EngineLease}s and evicted by bytes; each engine's {@code SlotPool} lends execution slots as
 * {@code SlotLease}s. Owns every engine and slot; callers only ever hold leases.
 *
 * <p>May import: conf, engine, engine.backend, engine.tensor, SLF4J. Must not import: engine.trt, engine.ort
 * (the cache does not know which backend it holds), {@code org.bytedeco}, Spark, Arrow.
 */
package dev.trtspark.engine.cache;
