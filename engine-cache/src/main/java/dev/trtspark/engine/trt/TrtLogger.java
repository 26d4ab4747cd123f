package dev.trtspark.engine.trt;

import org.bytedeco.tensorrt.nvinfer.ILogger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TensorRT's logger, routed to SLF4J. One instance for the life of the JVM ({@link #INSTANCE}, held
 * strongly): TensorRT keeps calling it from native code. The last error is kept so that a failed
 * native call can say why.
 */
final class TrtLogger extends ILogger {
  static final TrtLogger INSTANCE = new TrtLogger();
  private static final Logger LOG = LoggerFactory.getLogger("dev.trtspark.tensorrt");
  private volatile String lastError = "";

  private TrtLogger() {}

  @Override
  public void log(Severity severity, String msg) {
    // compare values: enum constants that cross the presets' callback do not switch reliably
    int v = severity.value;
    if (v <= Severity.kERROR.value) {
      lastError = msg;
      LOG.error(msg);
    } else if (v == Severity.kWARNING.value) {
      LOG.warn(msg);
    } else if (v == Severity.kINFO.value) {
      LOG.debug(msg);
    } else {
      LOG.trace(msg);
    }
  }

  /** The last error TensorRT logged, or "" (for messages after a native call returned failure). */
  String lastError() {
    return lastError;
  }

  void clearLastError() {
    lastError = "";
  }
}
