package dev.trtspark.arrow.binding;

import java.util.BitSet;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BitVectorHelper;

/** Arrow validity bitmaps, written in one place for the vectors this project fills by hand. */
public final class Validity {
  private Validity() {}

  /** Marks {@code count} slots valid, then the ones in {@code nulls} (may be null) null. */
  public static void set(ArrowBuf validity, int count, BitSet nulls) {
    validity.setOne(0L, (long) BitVectorHelper.getValidityBufferSizeFromCount(count));
    if (nulls != null) {
      for (int i = nulls.nextSetBit(0); i >= 0 && i < count; i = nulls.nextSetBit(i + 1)) {
        BitVectorHelper.unsetBit(validity, i);
      }
    }
  }
}
