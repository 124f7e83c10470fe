#!/bin/bash
# The CLI is a client of the public API: build/sigmix links libsigmix.so
# (rpath in the build tree), and every sigmix_ symbol it needs is an export
# of that library. An internal function called from tools/ would show up as
# an undefined symbol the library does not export (and fail the link).
set -u
fail() { echo "FAIL: $*"; exit 1; }
B=${SIGMIX_BUILD:?}
bin=${SIGMIX_BIN:?}
lib=$B/libsigmix.so.0
[ -e "$lib" ] || fail "no $lib"
readelf -d "$bin" | grep -q 'NEEDED.*\[libsigmix\.so\.0\]' || fail "sigmix is not linked against libsigmix.so.0"
need=$(nm -D --undefined-only "$bin" | awk '$2 ~ /^sigmix_/ {print $2}' | sort -u)
have=$(nm -D --defined-only "$lib" | awk '$3 ~ /^sigmix_/ {print $3}' | sort -u)
[ -n "$need" ] || fail "sigmix uses no sigmix_ symbol from the library"
missing=$(comm -23 <(echo "$need") <(echo "$have"))
[ -z "$missing" ] || fail "not exported by libsigmix.so: $missing"
# Exports are exactly the SIGMIX_API declarations of include/sigmix/.
api=$(grep -rhoE 'SIGMIX_API[^;(]*\bsigmix_[a-z0-9_]+ *\(' "${SIGMIX_SRC:?}/include/sigmix" |
      grep -oE 'sigmix_[a-z0-9_]+ *\($' | tr -d ' (' | sort -u)
extra=$(comm -23 <(echo "$have") <(echo "$api"))
[ -z "$extra" ] || fail "exported without a SIGMIX_API declaration: $extra"
"$bin" --version | grep -qx "sigmix [0-9.]*" || fail "sigmix --version"
echo "ok: $(echo "$need" | wc -l) library symbols, all exported"
