package dev.trtspark.engine.cache;

import dev.trtspark.conf.TrtConf;
import dev.trtspark.engine.EngineException;
import dev.trtspark.engine.backend.Engine;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-JVM engine cache: each (sha256, device, backend) is loaded exactly once however many
 * threads ask at once; callers get {@link EngineLease}s. Engines with no open lease are evicted, least
 * recently used first, while the model bytes held exceed the byte limit (captured once, when the
 * singleton is created).
 *
 * <p>Ownership: the cache owns every engine and its {@link SlotPool}. Eviction closes the pool (CUDA
 * streams, events and device I/O buffers are freed) and the engine. What an engine's close frees
 * depends on the backend: ONNX Runtime sessions are freed completely; TensorRT engines and execution
 * contexts are not (the JavaCPP presets cannot destroy them), which is why they are created once and
 * reused, never per task, and why the limit should be set so that eviction is rare.
 *
 * <p>Threading: thread-safe. Loads run outside the cache lock; other threads asking for the same key
 * wait for that one load.
 */
public final class EngineCache {
  private static final Logger LOG = LoggerFactory.getLogger(EngineCache.class);
  private static EngineCache instance;

  private final long maxBytes;
  private final LinkedHashMap<EngineKey, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
  private final Map<EngineKey, CompletableFuture<Entry>> loading = new HashMap<>();
  private long hits;
  private long misses;
  private long loads;
  private long loadFailures;
  private long loadNanos;
  private long evictions;
  private long bytesHeld;

  /** One cached engine; fields other than {@code leases} are final after creation. */
  static final class Entry {
    final EngineKey key;
    final Engine engine;
    final SlotPool pool;
    final long slotTimeoutMs;
    final LoadSpec spec;
    int leases;

    Entry(EngineKey key, Engine engine, SlotPool pool, LoadSpec spec) {
      this.key = key;
      this.engine = engine;
      this.pool = pool;
      this.slotTimeoutMs = spec.slotTimeoutMs();
      this.spec = spec;
    }
  }

  EngineCache(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  /**
   * The JVM's cache, created on first use with {@code maxBytes} ({@code spark.trt.engineCache.maxBytes}):
   * the first job in an executor JVM fixes the limit. A later call asking for another limit gets the same
   * cache and a warning (once per value).
   */
  public static synchronized EngineCache getOrCreate(long maxBytes) {
    if (instance == null) {
      instance = new EngineCache(maxBytes);
      LOG.info("engine cache created with a limit of {} bytes", maxBytes);
    } else if (maxBytes != instance.maxBytes && WARNED.add("maxBytes=" + maxBytes)) {
      LOG.warn("the engine cache of this JVM keeps its limit of {} bytes; a later job asked for {} "
          + "({} is fixed by the first job in an executor JVM)", instance.maxBytes, maxBytes,
          TrtConf.ENGINE_CACHE_MAX_BYTES.key());
    }
    return instance;
  }

  /** The JVM's cache, for reading its state; empty while no engine has been loaded in this JVM. */
  public static synchronized java.util.Optional<EngineCache> existing() {
    return java.util.Optional.ofNullable(instance);
  }

  /** Settings fixed per JVM that a later call asked to change, each warned about once. */
  private static final java.util.Set<String> WARNED = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** Test hook: forgets the singleton after evicting what it can (leased engines stay alive). */
  public static synchronized void resetForTests() {
    if (instance != null) {
      instance.evictIdle(0);
      instance = null;
    }
  }

  /**
   * Closes every engine that no lease holds, so that the next lease loads it again (with the slot settings
   * of that call) and its GPU memory is given back now; engines in use stay.
   */
  public void evictUnused() {
    evictIdle(0);
  }

  /** The byte limit captured at creation. */
  public long maxBytes() {
    return maxBytes;
  }

  /** Parameters for a load: how to make the engine and how its slot pool is sized. */
  public record LoadSpec(Supplier<Engine> loader, int slots, int lanes, long slotTimeoutMs) {}

  /**
   * Leases the engine for {@code key}, loading it with {@code spec} if no thread has.
   *
   * @throws EngineException (or what the loader threw) when loading fails; a later call tries again
   */
  public EngineLease acquire(EngineKey key, LoadSpec spec) {
    while (true) {
      CompletableFuture<Entry> pending;
      boolean mine = false;
      synchronized (this) {
        Entry e = entries.get(key);
        if (e != null) {
          warnIfChanged(e, spec);
          e.leases++;
          hits++;
          return new EngineLease(this, e, false);
        }
        pending = loading.get(key);
        if (pending == null) {
          pending = new CompletableFuture<>();
          loading.put(key, pending);
          misses++;
          mine = true;
        }
      }
      if (mine) {
        return load(key, spec, pending);
      }
      Entry loaded;
      try {
        loaded = pending.join();
      } catch (CompletionException e) {
        throw e.getCause() instanceof RuntimeException ? (RuntimeException) e.getCause()
            : new EngineException("loading " + key + " failed", e.getCause());
      }
      synchronized (this) {
        if (entries.get(key) == loaded) {
          warnIfChanged(loaded, spec);
          loaded.leases++;
          hits++;
          return new EngineLease(this, loaded, false);
        }
      }
      // evicted between its load and our turn: try again
    }
  }

  /**
   * A loaded engine keeps the slots it was loaded with (spark.trt.slotsPerEngine, and batchesInFlight as
   * the lanes of each slot): a later job asking for other slots, or for more lanes than they have (fewer
   * work: a job keeps at most its own batchesInFlight in flight), is told so, once per engine and values.
   */
  static void warnIfChanged(Entry e, LoadSpec asked) {
    LoadSpec had = e.spec;
    if (cannotHonour(had, asked) && WARNED.add(e.key + "|" + asked.slots() + "|" + asked.lanes())) {
      LOG.warn("{} stays loaded with {} slots of {} lanes; this job asked for {} slots of {} lanes "
          + "({} and {} are fixed when an engine is loaded in an executor JVM, until it is evicted)", e.key, had.slots(),
          had.lanes(), asked.slots(), asked.lanes(), TrtConf.SLOTS_PER_ENGINE.key(), TrtConf.BATCHES_IN_FLIGHT.key());
    }
  }

  /** Whether an engine loaded with {@code had} cannot give a job what {@code asked} wants: other slots, more lanes. */
  static boolean cannotHonour(LoadSpec had, LoadSpec asked) {
    return had.slots() != asked.slots() || asked.lanes() > had.lanes();
  }

  private EngineLease load(EngineKey key, LoadSpec spec, CompletableFuture<Entry> pending) {
    long t0 = System.nanoTime();
    Engine engine;
    try {
      engine = spec.loader().get();
    } catch (RuntimeException | Error e) {
      synchronized (this) {
        loading.remove(key);
        loadFailures++;
      }
      pending.completeExceptionally(e);
      throw e;
    }
    long took = System.nanoTime() - t0;
    Entry entry = new Entry(key, engine, new SlotPool(engine, spec.slots(), spec.lanes()), spec);
    List<Entry> evicted;
    synchronized (this) {
      loads++;
      loadNanos += took;
      entry.leases = 1;
      entries.put(key, entry);
      bytesHeld += engine.sizeBytes();
      loading.remove(key);
      evicted = takeEvictable(maxBytes);
    }
    pending.complete(entry);
    LOG.info("loaded {} ({}, {}) in {} ms", key, engine.backendName(), engine.deviceDescription(), took / 1_000_000);
    closeAll(evicted);
    return new EngineLease(this, entry, true);
  }

  void release(Entry entry) {
    List<Entry> evicted;
    synchronized (this) {
      entry.leases--;
      evicted = takeEvictable(maxBytes);
    }
    closeAll(evicted);
  }

  /** Evicts every engine without leases while more than {@code limit} bytes are held. */
  void evictIdle(long limit) {
    List<Entry> evicted;
    synchronized (this) {
      evicted = takeEvictable(limit);
    }
    closeAll(evicted);
  }

  private List<Entry> takeEvictable(long limit) {
    List<Entry> out = new ArrayList<>();
    Iterator<Entry> it = entries.values().iterator();
    while (bytesHeld > limit && it.hasNext()) {
      Entry e = it.next();
      if (e.leases == 0) {
        it.remove();
        bytesHeld -= e.engine.sizeBytes();
        evictions++;
        out.add(e);
      }
    }
    if (bytesHeld > limit && limit > 0) {
      LOG.warn("engine cache holds {} bytes, over its limit of {}, and every engine is leased", bytesHeld, limit);
    }
    return out;
  }

  /** Closes every evicted entry even when one fails; the first failure is rethrown at the end. */
  private static void closeAll(List<Entry> evicted) {
    RuntimeException first = null;
    for (Entry e : evicted) {
      LOG.info("evicting {}", e.key);
      try {
        e.pool.close();
      } catch (RuntimeException ex) {
        first = first == null ? ex : first;
      }
      try {
        e.engine.close();
      } catch (RuntimeException ex) {
        first = first == null ? ex : first;
      }
    }
    if (first != null) {
      throw first;
    }
  }

  public synchronized CacheStats stats() {
    int slotsInUse = 0;
    for (Entry e : entries.values()) {
      slotsInUse += e.pool.inUse();
    }
    return new CacheStats(hits, misses, loads, loadFailures, loadNanos, evictions, entries.size(), bytesHeld, slotsInUse);
  }
}
