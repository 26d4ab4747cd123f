package dev.trtspark.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/** The extension on sample test classes run through the JUnit launcher, as a build would run them. */
class AllocatorLeakCheckTest {
  private static final String SAMPLES = "trt.testing.samples";

  @Test
  void aTestThatClosesWhatItAllocatesPasses() {
    TestExecutionSummary s = run(Clean.class);
    assertEquals(1, s.getTestsSucceededCount(), failures(s));
  }

  @Test
  void aTestThatLeaksFailsWithTheAllocatorsReport() {
    TestExecutionSummary s = run(Leaking.class);
    assertEquals(1, s.getTestsFailedCount());
    Throwable t = s.getFailures().get(0).getException();
    assertInstanceOf(AssertionError.class, t);
    assertTrue(t.getMessage().startsWith("Leaking.leaks leaked Arrow memory (a buffer or vector it did not close): "),
        t.getMessage());
    assertTrue(t.getMessage().contains("Memory leaked: (1024)"), t.getMessage());
  }

  @Test
  void beforeEachAndTheTestGetTheSameAllocatorFromTheFactory() {
    TestExecutionSummary s = run(Shared.class);
    assertEquals(1, s.getTestsSucceededCount(), failures(s));
    assertEquals(0, Shared.root.getAllocatedMemory());
    assertTrue(Shared.root.getChildAllocators().isEmpty(), "the child was closed");
  }

  private static TestExecutionSummary run(Class<?> sample) {
    LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request().selectors(selectClass(sample))
        .configurationParameter(SAMPLES, "true").build();
    SummaryGeneratingListener listener = new SummaryGeneratingListener();
    LauncherFactory.create().execute(request, listener);
    return listener.getSummary();
  }

  private static String failures(TestExecutionSummary s) {
    List<String> out = new ArrayList<>();
    s.getFailures().forEach(f -> out.add(f.getTestIdentifier().getDisplayName() + ": " + f.getException()));
    return String.join("\n", out);
  }

  /** The samples run only when this test runs them (never on their own in a build or an IDE). */
  static final class OnlyFromTheTest implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
      return context.getConfigurationParameter(SAMPLES).isPresent()
          ? ConditionEvaluationResult.enabled("run by AllocatorLeakCheckTest")
          : ConditionEvaluationResult.disabled("a sample for AllocatorLeakCheckTest");
    }
  }

  @ExtendWith({OnlyFromTheTest.class, AllocatorLeakCheck.class})
  static class Clean {
    @Test
    void closes(BufferAllocator allocator) {
      try (ArrowBuf b = allocator.buffer(1024)) {
        b.setInt(0, 7);
      }
    }
  }

  @ExtendWith({OnlyFromTheTest.class, AllocatorLeakCheck.class})
  static class Leaking {
    @Test
    void leaks(BufferAllocator allocator) {
      allocator.buffer(1024);
    }
  }

  @ExtendWith(OnlyFromTheTest.class)
  static class Shared {
    static final BufferAllocator root = new RootAllocator();
    private BufferAllocator before;
    private ArrowBuf held;

    @RegisterExtension
    final AllocatorLeakCheck allocators = AllocatorLeakCheck.of(() -> root.newChildAllocator("test", 0, Long.MAX_VALUE));

    @BeforeEach
    void open(BufferAllocator allocator) {
      before = allocator;
    }

    @Test
    void same(BufferAllocator allocator) {
      assertSame(before, allocator);
      assertSame(root, allocator.getParentAllocator());
      held = allocator.buffer(64);
    }

    @AfterEach
    void release() {
      held.close(); // after the test's own @AfterEach, so this is no leak
    }
  }
}
