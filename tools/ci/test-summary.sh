#!/usr/bin/env bash
# Adds up the test reports of the last build (surefire's XML, the cluster test's included): one line per
# module and a total. `mvn -B verify` prints no line per test class on success; this is where the counts are.
# usage: tools/ci/test-summary.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
shopt -s nullglob
total=(0 0 0 0)
for module in */; do
  reports=("$module"target/surefire-reports/TEST-*.xml "$module"target/cluster-reports/TEST-*.xml)
  [ ${#reports[@]} -gt 0 ] || continue
  read -r t f e s < <(sed -n 's/.*<testsuite \(.*\)>.*/\1/p' "${reports[@]}" | awk '
    { for (i = 1; i <= NF; i++) { split($i, kv, "="); gsub(/"/, "", kv[2]); v[kv[1]] += kv[2] } }
    END { printf "%d %d %d %d\n", v["tests"], v["failures"], v["errors"], v["skipped"] }')
  printf '%-14s tests %4d, failures %d, errors %d, skipped %d\n' "${module%/}" "$t" "$f" "$e" "$s"
  total=($((total[0] + t)) $((total[1] + f)) $((total[2] + e)) $((total[3] + s)))
done
printf '%-14s tests %4d, failures %d, errors %d, skipped %d\n' "all" "${total[@]}"
