package dev.trtspark.arrow;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.Test;

/** The pipeline contract on ONNX Runtime (CPU), as CI runs it. */
class OrtPipelineTest extends PipelineContract {
  @Override
  protected Map<String, String> backendOptions() {
    return Map.of("backend", "onnxruntime");
  }

  @Override
  protected int device() {
    return -1;
  }

  @Test
  void closingAnAllocatorThatStillHoldsMemoryIsAnError() {
    BufferAllocator child = tensors.newTaskAllocator("leaky");
    ArrowBuf leaked = child.buffer(1024);
    IllegalStateException e = assertThrows(IllegalStateException.class, child::close);
    assertTrue(e.getMessage().contains("Memory was leaked"), e.getMessage());
    // the allocator is closed now; the leaked buffer stays accounted to it, as Arrow intends
    assertTrue(leaked.refCnt() > 0);
  }
}
