#!/bin/sh
# A CI step for any runner (Buildkite, Drone, a cron job): scan, keep every report, and pass
# tollgate's verdict on as the step's exit code. TOLLGATE names the binary (default: tollgate
# on PATH); the first argument is the directory to scan (default: .).
set -u
TOLLGATE="${TOLLGATE:-tollgate}"
dir="${1:-.}"
"$TOLLGATE" run "$dir" --no-progress \
  --sarif tollgate.sarif --summary tollgate-summary.json \
  --format junit --output tollgate-junit.xml
code=$?
case $code in
  0) echo "tollgate: passed" ;;
  1) echo "tollgate: findings at or above the threshold (see tollgate-junit.xml)" ;;
  *) echo "tollgate: the scan did not complete (exit $code)" ;;
esac
exit $code
