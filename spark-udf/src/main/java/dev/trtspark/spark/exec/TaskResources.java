package dev.trtspark.spark.exec;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.spark.TaskContext;
import org.apache.spark.util.TaskCompletionListener;

/**
 * The JVM-wide registry of task-scoped resources (engine and slot leases, pinned allocators): the first
 * {@link #acquire} of a key in a task creates the resource and registers one task-completion listener
 * that closes it, so a task that fails or is killed releases everything it took. Closing twice is
 * harmless: every resource here has an idempotent {@code close()}.
 *
 * <p>Threading: thread-safe; a resource itself is used by its task's thread only.
 */
public final class TaskResources {
  private static final Map<String, AutoCloseable> OPEN = new ConcurrentHashMap<>();

  private TaskResources() {}

  /**
   * The task's resource under {@code key}, created by {@code create} on first use. Without a task (code
   * run on the driver, tests) the caller owns what it gets and must close it.
   */
  @SuppressWarnings("unchecked")
  public static <T extends AutoCloseable> T acquire(TaskContext task, String key, Supplier<T> create) {
    if (task == null) {
      return create.get();
    }
    String id = task.taskAttemptId() + "/" + key;
    AutoCloseable held = OPEN.get(id);
    if (held != null) {
      return (T) held;
    }
    // created outside the map: creating can wait minutes for a slot, and a map bin locked that long
    // would block other tasks releasing theirs. A key belongs to one task thread, so there is no race.
    T resource = create.get();
    OPEN.put(id, resource);
    task.addTaskCompletionListener(new TaskCompletionListener() {
      @Override
      public void onTaskCompletion(TaskContext context) {
        release(id);
      }
    });
    return resource;
  }

  /** Resources held by running tasks of this JVM (for tests and metrics). */
  public static int open() {
    return OPEN.size();
  }

  private static void release(String id) {
    AutoCloseable gone = OPEN.remove(id);
    if (gone != null) {
      try {
        gone.close();
      } catch (Exception e) {
        throw new IllegalStateException("releasing " + id + " failed: " + e.getMessage(), e);
      }
    }
  }
}
