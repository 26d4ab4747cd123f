package dev.trtspark.jobs;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;

/**
 * A real Spark standalone cluster and HDFS on loopback, started by the project: a Spark home built from
 * the Maven artifacts on the test classpath ({@code jars/} holds Spark, Hadoop and their dependencies,
 * nothing of trt-spark, which travels in the spark-submit jar), a Master and {@code workers} Workers as
 * separate JVMs on 127.0.0.1, and a MiniDFSCluster in this JVM. {@link #close()} stops all of them,
 * executors included, also when a test fails.
 */
final class LocalCluster implements AutoCloseable {
  private final Path dir;
  private final Path home;
  private final List<Process> daemons = new ArrayList<>();
  private final MiniDFSCluster hdfs;
  private final String master;

  LocalCluster(Path dir, int workers) throws Exception {
    this.dir = dir;
    this.home = sparkHome(dir.resolve("spark-home"));
    Configuration conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, dir.resolve("hdfs").toString());
    conf.set("dfs.namenode.rpc-address", "127.0.0.1:0");
    conf.set("dfs.datanode.address", "127.0.0.1:0");
    conf.set("dfs.datanode.http.address", "127.0.0.1:0");
    conf.set("dfs.datanode.ipc.address", "127.0.0.1:0");
    hdfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
    hdfs.waitActive();
    try {
      int port = freePort();
      master = "spark://127.0.0.1:" + port;
      daemons.add(start("master", List.of("org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port",
          Integer.toString(port), "--webui-port", Integer.toString(freePort())), "I have been elected leader"));
      for (int w = 0; w < workers; w++) {
        Path work = Files.createDirectories(dir.resolve("worker-" + w));
        daemons.add(start("worker-" + w, List.of("org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
            "--cores", "1", "--memory", "2g", "--work-dir", work.toString(), "--webui-port", Integer.toString(freePort()),
            master), "Successfully registered with master"));
      }
    } catch (Exception e) {
      close();
      throw e;
    }
  }

  /** {@code spark://127.0.0.1:PORT}. */
  String master() {
    return master;
  }

  /** {@code hdfs://127.0.0.1:PORT}. */
  String hdfs() throws IOException {
    return hdfs.getFileSystem().getUri().toString();
  }

  FileSystem fileSystem() throws IOException {
    return hdfs.getFileSystem();
  }

  Path home() {
    return home;
  }

  /**
   * Starts {@code org.apache.spark.deploy.SparkSubmit args} as its own JVM (the driver, in client mode)
   * with its output in {@code log}.
   */
  Process submit(Path log, List<String> args) throws IOException {
    List<String> cmd = java();
    cmd.add("org.apache.spark.deploy.SparkSubmit");
    cmd.addAll(args);
    return process(cmd, log);
  }

  /** The executor JVMs running now (children of the workers). */
  List<ProcessHandle> executors() {
    List<ProcessHandle> out = new ArrayList<>();
    for (Process d : daemons) {
      d.descendants().filter(h -> h.info().commandLine().orElse("").contains("CoarseGrainedExecutorBackend"))
          .forEach(out::add);
    }
    return out;
  }

  private Process start(String name, List<String> args, String ready) throws Exception {
    List<String> cmd = java();
    cmd.addAll(args);
    Path log = dir.resolve(name + ".log");
    Process p = process(cmd, log);
    await(log, s -> s.contains(ready), 120, name + " did not start");
    return p;
  }

  /** Waits until {@code log} satisfies {@code done}. */
  static String await(Path log, Predicate<String> done, int seconds, String what) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < end) {
      String text = Files.exists(log) ? Files.readString(log) : "";
      if (done.test(text)) {
        return text;
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException(what + " within " + seconds + " s; its log " + log + ":\n"
        + (Files.exists(log) ? Files.readString(log) : "(none)"));
  }

  private List<String> java() {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String opt : System.getProperty("trt.jvm.opens", "").split(" ")) {
      if (!opt.isBlank()) {
        cmd.add(opt);
      }
    }
    cmd.add("-Xmx1g");
    cmd.add("-cp");
    cmd.add(home.resolve("jars") + "/*");
    return cmd;
  }

  private Process process(List<String> cmd, Path log) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("SPARK_HOME", home.toString());
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    pb.environment().put("SPARK_SCALA_VERSION", "2.13");
    return pb.start();
  }

  /**
   * A Spark home from this JVM's classpath: {@code RELEASE} (so the launcher looks for {@code jars/}) and
   * links to every dependency jar but trt-spark's own, ONNX Runtime, JavaCPP and picocli (the
   * application's jar carries those) and test-only ones.
   */
  private static Path sparkHome(Path home) throws IOException {
    Path jars = Files.createDirectories(home.resolve("jars"));
    Files.writeString(home.resolve("RELEASE"), "Spark 4.2.0 (built by trt-spark's LocalCluster from Maven artifacts)\n");
    for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
      Path p = Path.of(entry);
      String n = p.getFileName().toString();
      if (!n.endsWith(".jar") || n.startsWith("trt-spark") || n.startsWith("onnxruntime") || n.startsWith("javacpp")
          || n.startsWith("cuda-") || n.startsWith("tensorrt-") || n.startsWith("picocli") || n.contains("junit")
          || n.contains("opentest4j") || n.contains("apiguardian") || n.contains("minicluster")) {
        continue;
      }
      Path link = jars.resolve(n);
      if (!Files.exists(link)) {
        Files.createSymbolicLink(link, p.toAbsolutePath());
      }
    }
    return home;
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** Stops the daemons and every process they started, then HDFS. Idempotent. */
  @Override
  public void close() {
    for (Process d : daemons) {
      d.descendants().forEach(ProcessHandle::destroyForcibly);
      d.destroyForcibly();
    }
    for (Process d : daemons) {
      try {
        d.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    daemons.clear();
    if (hdfs != null) {
      hdfs.shutdown();
    }
  }
}
