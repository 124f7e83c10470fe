#!/bin/sh
# Run every registered test in build folder $1 and end with the line
# "N passed, N failed" (skipped tests are counted apart).
build=${1:-build}
meson test -C "$build" --print-errorlogs --num-processes 2 --timeout-multiplier 4
status=$?
log="$build/meson-logs/testlog.json"
if [ ! -f "$log" ]; then
    echo "0 passed, 1 failed"
    exit 1
fi
passed=$(grep -c '"result": "OK"' "$log")
skipped=$(grep -c '"result": "SKIP"' "$log")
failed=$(grep -Ec '"result": "(FAIL|ERROR|TIMEOUT|UNEXPECTEDPASS)"' "$log")
if [ "$skipped" -gt 0 ]; then
    echo "$passed passed, $failed failed, $skipped skipped"
else
    echo "$passed passed, $failed failed"
fi
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
