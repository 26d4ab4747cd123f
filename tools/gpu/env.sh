# Sourced by the GPU-host scripts: the bundle's environment plus this working tree's class folders.
source /opt/trt-bundle/env.sh
TRT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OWN_CP=""; TEST_ROOTS=""
for m in conf engine-cache arrow-io spark-udf jobs; do
  [ -d "$TRT_ROOT/$m/target/classes" ] && OWN_CP="$OWN_CP:$TRT_ROOT/$m/target/classes"
  [ -d "$TRT_ROOT/$m/target/test-classes" ] && OWN_CP="$OWN_CP:$TRT_ROOT/$m/target/test-classes" \
    && TEST_ROOTS="$TEST_ROOTS $TRT_ROOT/$m/target/test-classes"
done
TRT_CP="${OWN_CP#:}:$BUNDLE_CP"
# Arrow reflects into java.nio (see ARCHITECTURE.md)
TRT_JAVA_OPTS="--add-opens=java.base/java.nio=org.apache.arrow.memory.core,ALL-UNNAMED -Dtrt.repo.root=$TRT_ROOT"
