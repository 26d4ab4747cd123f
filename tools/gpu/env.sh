# Sourced by the GPU-host scripts: the bundle's environment plus this working tree's class folders.
source /opt/trt-bundle/env.sh
TRT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OWN_CP=""; TEST_ROOTS=""
for m in test-support conf engine-cache arrow-io spark-udf jobs bench; do
  [ -d "$TRT_ROOT/$m/target/classes" ] && OWN_CP="$OWN_CP:$TRT_ROOT/$m/target/classes"
  [ -d "$TRT_ROOT/$m/target/test-classes" ] && OWN_CP="$OWN_CP:$TRT_ROOT/$m/target/test-classes" \
    && TEST_ROOTS="$TEST_ROOTS $TRT_ROOT/$m/target/test-classes"
done
TRT_CP="${OWN_CP#:}:$BUNDLE_CP"
# the JVM options of the parent pom's trt.jvm.opens (Arrow and Spark on Java 17), then TRT_EXTRA_JAVA_OPTS if set
# (e.g. -Xlog:gc:file=gc.log:uptime)
TRT_JAVA_OPTS="-XX:+IgnoreUnrecognizedVMOptions --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/sun.nio.cs=ALL-UNNAMED --add-opens=java.base/sun.security.action=ALL-UNNAMED --add-opens=java.base/sun.util.calendar=ALL-UNNAMED -Djdk.reflect.useDirectMethodHandle=false -Dio.netty.tryReflectionSetAccessible=true -Dtrt.repo.root=$TRT_ROOT ${TRT_EXTRA_JAVA_OPTS:-}"
# ONNX Runtime 1.29 crashes (SIGSEGV) while loading in a JVM whose command line is over ~4 KB: long
# classpaths go in argfiles (java @file, console launcher @file), never on the command line
printf -- '-cp %s\n' "$TRT_CP" >/tmp/trt-java-cp.args
printf -- '--class-path %s\n' "$TRT_CP" >/tmp/trt-launcher-cp.args
