package dev.trtspark.engine.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.trtspark.engine.EngineException;
import dev.trtspark.engine.tensor.DType;
import dev.trtspark.engine.tensor.HostTensor;
import dev.trtspark.engine.tensor.ModelSignature;
import dev.trtspark.engine.tensor.TensorInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * How {@link AbstractSlot} splits a batch larger than the profile's max batch: chunk sizes, where each
 * chunk reads its inputs, and where its outputs land in the caller's one buffer per output. The slot
 * here runs nothing, it records the chunks; addresses are made up and never dereferenced, only the
 * offsets of the slices are checked.
 */
class AbstractSlotTest {
  private static final int MAX = 4;
  private static final long IN = 0x10_0000;
  private static final long OUT = 0x20_0000;
  /** Bytes of a row of x, float32 [rows, 3]. */
  private static final long X_ROW = 12;
  /** Bytes of a row of y, float32 [rows, 2]. */
  private static final long Y_ROW = 8;

  private static final TensorInfo X = new TensorInfo("x", true, DType.FLOAT32, new long[] {-1, 3},
      new long[] {1, 3}, new long[] {MAX, 3}, new long[] {MAX, 3});
  private static final TensorInfo Y = TensorInfo.output("y", DType.FLOAT32, new long[] {-1, 2});

  @ParameterizedTest(name = "{0} rows with a max batch of 4: chunks of {1}")
  @CsvSource({"1, 1", "3, 3", "4, 4", "5, 4 1", "8, 4 4", "9, 4 4 1"})
  void aBatchIsCutIntoChunksOfTheMaxBatchAndARemainder(long rows, String sizes) {
    long[] expected = longs(sizes);
    RecordingSlot slot = new RecordingSlot(new ModelSignature("m", List.of(X), List.of(Y)));
    List<Placed> chunks = slot.submitAndRecord(rows);
    assertArrayEquals(expected, chunks.stream().mapToLong(Placed::rows).toArray());
    long start = 0;
    for (int i = 0; i < expected.length; i++) {
      Placed c = chunks.get(i);
      assertEquals(start * X_ROW, c.input().address() - IN, "chunk " + i + " reads x from row " + start);
      assertEquals(expected[i] * X_ROW, c.input().capacityBytes(), "chunk " + i + " reads only its own rows");
      assertArrayEquals(new long[] {expected[i], 3}, c.input().shape(), "shape of chunk " + i);
      start += expected[i];
    }
  }

  @ParameterizedTest(name = "{0} rows with a max batch of 4: outputs of chunks of {1} one after the other")
  @CsvSource({"1, 1", "3, 3", "4, 4", "5, 4 1", "8, 4 4", "9, 4 4 1"})
  void theChunksOutputsLandOneAfterTheOtherInOneBufferForTheWholeBatch(long rows, String sizes) {
    long[] expected = longs(sizes);
    RecordingSlot slot = new RecordingSlot(new ModelSignature("m", List.of(X), List.of(Y)));
    List<Placed> chunks = slot.submitAndRecord(rows);
    assertEquals(List.of("y " + Arrays.toString(new long[] {rows, 2})), slot.allocated, "asked once, for every row");
    long start = 0;
    for (int i = 0; i < expected.length; i++) {
      Placed c = chunks.get(i);
      assertEquals(start * Y_ROW, c.output().address() - OUT, "chunk " + i + " writes y from row " + start);
      assertEquals(expected[i] * Y_ROW, c.output().capacityBytes());
      assertArrayEquals(new long[] {expected[i], 2}, c.output().shape(), "shape of chunk " + i);
      start += expected[i];
    }
  }

  @Test
  void aBatchWithinTheMaxBatchRunsOnTheCallersInputsUnsliced() {
    RecordingSlot slot = new RecordingSlot(new ModelSignature("m", List.of(X), List.of(Y)));
    Map<String, HostTensor> inputs = Map.of("x", new HostTensor(IN, MAX * X_ROW, new long[] {MAX, 3}));
    slot.submit(inputs, List.of("y"), slot::allocate).await();
    assertEquals(1, slot.runs.size());
    assertEquals(1, slot.runs.get(0).size());
    assertSame(inputs, slot.runs.get(0).get(0).inputs());
  }

  @Test
  void theMaxBatchIsTheSmallestMaxOverTheBatchedInputs() {
    TensorInfo wide = new TensorInfo("w", true, DType.FLOAT32, new long[] {-1, 1}, new long[] {1, 1},
        new long[] {6, 1}, new long[] {6, 1});
    RecordingSlot slot = new RecordingSlot(new ModelSignature("m", List.of(wide, X), List.of(Y)));
    Map<String, HostTensor> inputs = Map.of("x", new HostTensor(IN, 7 * X_ROW, new long[] {7, 3}),
        "w", new HostTensor(IN + 0x1000, 7 * 4, new long[] {7, 1}));
    slot.submit(inputs, List.of("y"), slot::allocate).await();
    assertArrayEquals(new long[] {4, 3}, slot.runs.get(0).stream().mapToLong(AbstractSlot.Chunk::rows).toArray());
    assertEquals(16, slot.runs.get(0).get(1).inputs().get("w").address() - (IN + 0x1000), "w's second chunk from row 4");
  }

  @Test
  void eachPartIsSplitOnItsOwnAndWritesIntoItsOwnBuffers() {
    RecordingSlot slot = new RecordingSlot(new ModelSignature("m", List.of(X), List.of(Y)));
    List<HostTensor> second = new ArrayList<>();
    slot.submitParts(List.of(
        new ExecutionSlot.Part(Map.of("x", new HostTensor(IN, 5 * X_ROW, new long[] {5, 3})), slot::allocate),
        new ExecutionSlot.Part(Map.of("x", new HostTensor(IN, 2 * X_ROW, new long[] {2, 3})), (t, shape) -> {
          HostTensor b = new HostTensor(OUT + 0x1000, shape[0] * Y_ROW, shape);
          second.add(b);
          return b;
        })), List.of("y")).await();
    List<AbstractSlot.Chunk> chunks = slot.runs.get(0);
    assertArrayEquals(new long[] {4, 1, 2}, chunks.stream().mapToLong(AbstractSlot.Chunk::rows).toArray());
    assertEquals(0, chunks.get(2).inputs().get("x").address() - IN, "the second part starts at its own row 0");
    List<Long> outputs = new ArrayList<>();
    for (AbstractSlot.Chunk c : chunks) {
      outputs.add(c.output("y", new long[] {c.rows(), 2}).address());
    }
    assertEquals(List.of(OUT, OUT + 4 * Y_ROW, OUT + 0x1000), outputs);
    assertEquals(List.of("y [5, 2]"), slot.allocated, "the first part asks for its 5 rows");
    assertArrayEquals(new long[] {2, 2}, second.get(0).shape(), "the second part for its 2");
  }

  @Test
  void aBatchOverTheMaxFailsWhenAnOutputHasNoRowsToSplit() {
    TensorInfo total = TensorInfo.output("total", DType.FLOAT32, new long[] {2});
    RecordingSlot slot = new RecordingSlot(new ModelSignature("m", List.of(X), List.of(Y, total)));
    EngineException e = assertThrows(EngineException.class, () -> slot.submitAndRecord(MAX + 1, "y", "total"));
    assertEquals("model m: a batch of 5 rows is larger than the profile's max batch 4, and output total has no batch "
        + "dimension to split", e.getMessage());
    assertEquals(1, slot.submitAndRecord(MAX, "y", "total").size(), "within the max batch it is one chunk");
  }

  private static long[] longs(String spaced) {
    return Arrays.stream(spaced.trim().split(" +")).mapToLong(Long::parseLong).toArray();
  }

  /** Where one chunk read x and wrote y. */
  private record Placed(long rows, HostTensor input, HostTensor output) {}

  /** A slot that keeps the chunks it is given and the output memory it asked for. */
  private static final class RecordingSlot extends AbstractSlot {
    final List<List<Chunk>> runs = new ArrayList<>();
    final List<String> allocated = new ArrayList<>();

    RecordingSlot(ModelSignature signature) {
      super(signature);
    }

    /** Output memory of exactly the asked size at {@link #OUT}. */
    HostTensor allocate(String tensor, long[] shape) {
      allocated.add(tensor + " " + Arrays.toString(shape));
      return new HostTensor(OUT, TensorInfo.elements(shape) * 4, shape);
    }

    /** Submits x of {@code rows} rows and places each chunk's outputs as a backend would, in chunk order. */
    List<Placed> submitAndRecord(long rows, String... outputs) {
      List<String> wanted = outputs.length == 0 ? List.of("y") : List.of(outputs);
      submit(Map.of("x", new HostTensor(IN, rows * X_ROW, new long[] {rows, 3})), wanted, this::allocate).await();
      List<Placed> placed = new ArrayList<>();
      for (Chunk c : runs.get(runs.size() - 1)) {
        HostTensor y = c.output("y", new long[] {c.rows(), 2});
        placed.add(new Placed(c.rows(), c.inputs().get("x"), y));
      }
      return placed;
    }

    @Override
    protected PendingBatch run(List<Chunk> chunks) {
      runs.add(chunks);
      return PendingBatch.completed(StageTimes.ZERO);
    }

    @Override
    public int lanes() {
      return 1;
    }

    @Override
    public void close() {}
  }
}
