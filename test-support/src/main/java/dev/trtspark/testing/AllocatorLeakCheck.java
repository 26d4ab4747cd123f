package dev.trtspark.testing;

import java.util.function.Supplier;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A JUnit 5 extension that gives each test a fresh Arrow allocator and fails the test when memory is
 * still allocated in it afterwards, with the allocator tree Arrow reports (a leak is a failure, not a
 * warning). Every {@link BufferAllocator} parameter of a test method and of its {@code @BeforeEach}
 * methods is the same allocator; it is closed after the test's {@code @AfterEach} methods, which may
 * still release buffers.
 *
 * <pre>
 * &#64;ExtendWith(AllocatorLeakCheck.class)          // a new RootAllocator per test
 * class ConversionTest {
 *   &#64;Test void roundTrips(BufferAllocator allocator) { ... }
 * }
 *
 * &#64;RegisterExtension                             // another allocator, for example a task's child allocator
 * final AllocatorLeakCheck allocators = AllocatorLeakCheck.of(() -&gt; pool.newTaskAllocator("test"));
 * </pre>
 *
 * <p>Owns the allocators it creates, and nothing they are children of. Threading: one allocator per
 * test; a test may use it from any thread, and must have released what those threads hold when it ends.
 */
public final class AllocatorLeakCheck implements ParameterResolver, AfterEachCallback {
  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(AllocatorLeakCheck.class);
  private static final String KEY = "allocator";

  private final Supplier<? extends BufferAllocator> factory;

  /** A new {@link RootAllocator} per test (the form {@code @ExtendWith} uses). */
  public AllocatorLeakCheck() {
    this(RootAllocator::new);
  }

  private AllocatorLeakCheck(Supplier<? extends BufferAllocator> factory) {
    this.factory = factory;
  }

  /** An allocator from {@code factory} per test, for {@code @RegisterExtension}. */
  public static AllocatorLeakCheck of(Supplier<? extends BufferAllocator> factory) {
    return new AllocatorLeakCheck(factory);
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == BufferAllocator.class && context.getTestMethod().isPresent();
  }

  @Override
  public BufferAllocator resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return context.getStore(NAMESPACE).getOrComputeIfAbsent(KEY, k -> factory.get(), BufferAllocator.class);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    BufferAllocator allocator = context.getStore(NAMESPACE).remove(KEY, BufferAllocator.class);
    if (allocator == null) {
      return;
    }
    try {
      allocator.close();
    } catch (IllegalStateException e) {
      throw new AssertionError(context.getRequiredTestClass().getSimpleName() + "." + context.getRequiredTestMethod()
          .getName() + " leaked Arrow memory (a buffer or vector it did not close): " + e.getMessage(), e);
    }
  }
}
