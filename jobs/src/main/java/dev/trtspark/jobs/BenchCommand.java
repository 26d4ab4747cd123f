package dev.trtspark.jobs;

import dev.trtspark.engine.model.ArtifactLoader;
import dev.trtspark.engine.tensor.ModelSignature;
import dev.trtspark.engine.tensor.TensorInfo;
import dev.trtspark.spark.TrtInference;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code bench}: throughput and latency per batch size through the real UDF on synthetic data (random
 * values in every input's shape), as a table, a CSV and a PNG chart of throughput against batch size.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Throughput and latency per batch size on synthetic data.")
final class BenchCommand implements Callable<Integer> {
  @ParentCommand
  Main main;

  @Spec
  CommandSpec spec;

  @Option(names = "--model", required = true) String model;
  @Option(names = "--batch-sizes", split = ",", description = "Batch sizes (default 64,256,1024).") List<Integer> batchSizes =
      List.of(64, 256, 1024);
  @Option(names = "--rows", description = "Rows per measurement (default 20000).") long rows = 20_000;
  @Option(names = "--backend", description = "auto | tensorrt | onnxruntime.") String backend = "auto";
  @Option(names = "--output", description = "Folder for bench.csv and bench.png (default ./trt-spark-bench).") Path output =
      Path.of("trt-spark-bench");
  @Option(names = "--shapes", description = "trtexec style, name:AxB[,name:...]: the shape of inputs with dynamic "
      + "dimensions other than rows (dimension 0 is the batch size and is ignored).") String shapes;

  record Point(int batch, double rowsPerSec, double msPerBatch) {}

  private static String shapeExample(long[] shape) {
    StringBuilder b = new StringBuilder("1");
    for (int d = 1; d < shape.length; d++) {
      b.append('x').append(shape[d] < 0 ? 128 : shape[d]);
    }
    return b.toString();
  }

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    SparkSession spark = Spark.session(main.master);
    ModelSignature sig = dev.trtspark.engine.Engines.signature(ArtifactLoader.load(model),
        dev.trtspark.conf.ResolvedConfig.defaults());
    List<String> columns = new ArrayList<>();
    dev.trtspark.conf.ShapeSpec given = shapes == null ? null : dev.trtspark.conf.ShapeSpec.parse(shapes);
    int maxBatch = batchSizes.stream().mapToInt(Integer::intValue).max().orElse(1);
    List<String> minShapes = new ArrayList<>();
    List<String> maxShapes = new ArrayList<>();
    for (TensorInfo t : sig.inputs()) {
      long[] shape = t.shape();
      for (int d = 1; d < t.rank(); d++) {
        if (shape[d] < 0) {
          long[] g = given == null || !given.names().contains(t.name()) ? null : given.shape(t.name());
          if (g == null || g.length != t.rank()) {
            throw new Errors.UsageException("bench makes synthetic rows, and input " + t.name() + " has a dynamic dimension "
                + TensorInfo.format(shape) + "; give its shape with --shapes " + t.name() + ":" + shapeExample(shape));
          }
          shape[d] = g[d];
        }
      }
      long n = TensorInfo.elementsPerRow(shape);
      if (!java.util.Arrays.equals(shape, t.shape())) {
        long[] dims = java.util.Arrays.copyOfRange(shape, 1, shape.length);
        String tail = java.util.Arrays.stream(dims).mapToObj(Long::toString).reduce("", (a, x) -> a + "x" + x);
        minShapes.add(t.name() + ":1" + tail);
        maxShapes.add(t.name() + ":" + maxBatch + tail);
      }
      org.apache.spark.sql.types.DataType feeding = TrtInference.sparkTypeFeeding(t.dataType());
      if (feeding == null) {  // raw bytes only (uint8): a binary column of n small values
        if (t.rank() == 1) {
          throw new Errors.UsageException("bench makes synthetic rows, and input " + t.name() + " takes one "
              + t.dataType().display() + " per row, which no Spark column type holds (a binary column feeds a tensor "
              + "of rank 2 or more)");
        }
        columns.add("unhex(repeat('07', " + n + ")) AS `" + t.name() + "`");
        continue;
      }
      String value = feeding.equals(org.apache.spark.sql.types.DataTypes.BooleanType) ? "rand() < 0.5"
          : "CAST(rand() * 10 AS " + feeding.sql() + ")";
      columns.add(t.rank() == 1 ? value + " AS `" + t.name() + "`"
          : "transform(sequence(1, " + n + "), i -> " + value + ") AS `" + t.name() + "`");
    }
    int partitions = spark.sparkContext().defaultParallelism();
    Dataset<Row> data = spark.range(0, rows, 1, partitions).selectExpr(columns.toArray(new String[0])).cache();
    data.count();
    List<Point> points = new ArrayList<>();
    out.printf(Locale.ROOT, "%-10s %14s %14s%n", "batch", "rows/s", "ms/batch");
    for (int batch : batchSizes) {
      TrtInference.Builder b = TrtInference.builder().session(spark).model(model).backend(backend).batchSize(batch);
      if (!minShapes.isEmpty()) {
        // the profile an ONNX model is built with on TensorRT: these shapes, batches 1..the largest asked for
        b.option("build.minShapes", String.join(",", minShapes)).option("build.optShapes", String.join(",", maxShapes))
            .option("build.maxShapes", String.join(",", maxShapes));
      }
      sig.inputs().forEach(t -> b.input(t.name(), t.name()));
      TrtInference inference = b.build();
      inference.transform(data.limit(batch * 2)).count(); // warm-up: engine load, JIT
      long t0 = System.nanoTime();
      long n = inference.transform(data).count();
      double secs = (System.nanoTime() - t0) / 1e9;
      double batches = Math.max(1, Math.ceil((double) n / batch));
      Point p = new Point(batch, n / secs, secs * 1000 * partitions / batches);
      points.add(p);
      out.printf(Locale.ROOT, "%-10d %14.0f %14.2f%n", p.batch(), p.rowsPerSec(), p.msPerBatch());
    }
    data.unpersist();
    Files.createDirectories(output);
    StringBuilder csv = new StringBuilder("batch_size,rows_per_sec,ms_per_batch\n");
    points.forEach(p -> csv.append(String.format(Locale.ROOT, "%d,%.1f,%.3f%n", p.batch(), p.rowsPerSec(), p.msPerBatch())));
    Files.writeString(output.resolve("bench.csv"), csv);
    Labels labels = new Labels();
    ImageIO.write(chart(points, model, labels), "png", output.resolve("bench.png").toFile());
    out.println("wrote " + output.resolve("bench.csv") + " and " + output.resolve("bench.png")
        + " (ms/batch: wall time per batch of one task, " + partitions + " tasks in parallel)");
    if (labels.failure != null) {
      out.println("note: the chart has no text: this JVM cannot render fonts (" + labels.failure + ")");
    }
    return 0;
  }

  /**
   * Draws text where the JVM can: a headless server without font libraries (the GPU host's trimmed JRE
   * lacks libharfbuzz) still gets the chart, without its labels.
   */
  static final class Labels {
    String failure;

    void draw(Graphics2D g, String text, int x, int y) {
      if (failure != null) {
        return;
      }
      try {
        g.drawString(text, x, y);
      } catch (LinkageError | RuntimeException e) {
        failure = e.toString();
      }
    }
  }

  /** Throughput against batch size (log2 x axis), with the values written at the points. */
  static BufferedImage chart(List<Point> points, String title, Labels labels) {
    int w = 720;
    int h = 420;
    int left = 90;
    int right = 30;
    int top = 50;
    int bottom = 60;
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, w, h);
    g.setColor(Color.BLACK);
    try {
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
    } catch (LinkageError | RuntimeException e) {
      labels.failure = e.toString();
    }
    labels.draw(g, "throughput vs batch size: " + Path.of(title).getFileName(), left, 25);
    g.drawLine(left, h - bottom, w - right, h - bottom);
    g.drawLine(left, top, left, h - bottom);
    labels.draw(g, "batch size", w / 2 - 30, h - 15);
    labels.draw(g, "rows/s", 10, top - 10);
    double maxY = points.stream().mapToDouble(Point::rowsPerSec).max().orElse(1) * 1.15;
    double minX = Math.log(points.stream().mapToInt(Point::batch).min().orElse(1)) / Math.log(2);
    double maxX = Math.log(points.stream().mapToInt(Point::batch).max().orElse(2)) / Math.log(2);
    double spanX = Math.max(maxX - minX, 1);
    int prevX = -1;
    int prevY = -1;
    for (int i = 0; i <= 4; i++) {
      int y = h - bottom - (h - top - bottom) * i / 4;
      g.setColor(new Color(225, 225, 225));
      g.drawLine(left + 1, y, w - right, y);
      g.setColor(Color.DARK_GRAY);
      labels.draw(g, String.format(Locale.ROOT, "%.0f", maxY * i / 4), 10, y + 5);
    }
    g.setStroke(new BasicStroke(2f));
    for (Point p : points) {
      int x = left + 20 + (int) ((w - left - right - 40) * (Math.log(p.batch()) / Math.log(2) - minX) / spanX);
      int y = h - bottom - (int) ((h - top - bottom) * p.rowsPerSec() / maxY);
      g.setColor(new Color(30, 100, 200));
      if (prevX >= 0) {
        g.drawLine(prevX, prevY, x, y);
      }
      g.fillOval(x - 4, y - 4, 8, 8);
      g.setColor(Color.BLACK);
      labels.draw(g, Integer.toString(p.batch()), x - 10, h - bottom + 18);
      labels.draw(g, String.format(Locale.ROOT, "%.0f", p.rowsPerSec()), x - 20, y - 10);
      prevX = x;
      prevY = y;
    }
    g.dispose();
    return img;
  }
}
