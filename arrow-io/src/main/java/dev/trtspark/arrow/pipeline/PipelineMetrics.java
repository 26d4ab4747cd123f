package dev.trtspark.arrow.pipeline;

import dev.trtspark.arrow.binding.BadRows;
import java.util.Map;

/**
 * What one runner did: rows, batches, bad rows by reason, inputs fed without a copy, and time per
 * stage, elements sent for padded inputs ({@code paddedElements}) against their rows' own values
 * ({@code valueElements}; the ratio is the padding overhead, see {@link #paddingRatio()}), fill (turning Arrow columns into tensors, on the caller's thread), H2D / compute / D2H (device
 * time from CUDA events; compute only on ONNX Runtime) and wait (the caller blocked on a result).
 */
public record PipelineMetrics(long batches, long rows, long badRows, Map<BadRows.Reason, Long> badByReason,
    long zeroCopyInputs, long copiedInputs, long paddedElements, long valueElements, long fillNanos, long h2dNanos,
    long computeNanos, long d2hNanos, long waitNanos) {

  /** Elements sent for padded inputs per element of the rows' own values (1 = no padding); 1 without such inputs. */
  public double paddingRatio() {
    return valueElements == 0 ? 1 : (double) paddedElements / valueElements;
  }

  @Override
  public String toString() {
    return String.format("%d rows in %d batches, %d bad %s, inputs %d zero-copy / %d copied, padding %.2fx; fill %.1f ms, "
        + "h2d %.1f ms, compute %.1f ms, d2h %.1f ms, wait %.1f ms", rows, batches, badRows, badByReason, zeroCopyInputs,
        copiedInputs, paddingRatio(), fillNanos / 1e6, h2dNanos / 1e6, computeNanos / 1e6, d2hNanos / 1e6, waitNanos / 1e6);
  }
}
