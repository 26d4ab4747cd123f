#!/usr/bin/env bash
# The cluster test alone: builds the jars (tests skipped), then runs ClusterTest, which builds a Spark home
# from the Maven artifacts (jobs/target/.../spark-home/jars), starts a standalone Master and two Workers as
# separate JVMs on 127.0.0.1 and a MiniDFSCluster, submits the spark-submit jar with SparkSubmit (client
# mode), kills an executor and a driver, and stops everything (also when a test fails).
# usage: tools/cluster/run-cluster-test.sh [extra mvn args]
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -B -q -DskipTests install "$@"
mvn -B surefire:test@cluster -pl jobs -Dtest=ClusterTest "$@"
