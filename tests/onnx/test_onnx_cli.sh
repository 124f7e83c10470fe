#!/bin/bash
# sigmix model-info / model-run on tiny generated models: golden text,
# exact outputs, error messages and exit codes, atomic outputs.
set -u
BIN=${SIGMIX_BIN:?}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

"$MKMODEL" "$T" || { echo "cannot generate models"; exit 1; }

# expect_err EXPECTED_SUBSTRING CMD...: exit 2, nothing on stdout, message on stderr
expect_err() {
    local want=$1; shift
    "$@" >"$T/out" 2>"$T/err"
    local rc=$?
    [ $rc -eq 2 ] || fail "'$*' exited $rc, want 2"
    grep -qF -- "$want" "$T/err" || fail "'$*' stderr lacks '$want': $(cat "$T/err")"
}

# --- model-info
"$BIN" model-info "$T/unet.onnx" >"$T/info" || fail "model-info unet"
cat >"$T/info_want" <<EOF
model: $T/unet.onnx
ir_version: 8
opset: 17
inputs:
  input  float32  [1, 1, H, W]
outputs:
  output  float32  [1, 4, H, W]
operators:
  Conv  1
  Relu  1
  MaxPool  2
  Resize  2
  Concat  1
  Sigmoid  1
weights: 22
pad multiple: 4
peak memory per run (1 thread):
  640x360  10.6 MiB
  960x540  23.8 MiB
  1920x1080  95.0 MiB
  3840x2160  379.8 MiB
  7680x4320  1.5 GiB
EOF
diff -u "$T/info_want" "$T/info" || fail "model-info text"
"$BIN" model-info "$T/affine.onnx" | grep -qx "pad multiple: 1" || fail "affine multiple"
expect_err "sigmix: $T/bad_op.onnx: node 'mystery' (NonMaxSuppression): unsupported operator" \
    "$BIN" model-info "$T/bad_op.onnx"
expect_err "sigmix: $T/none.onnx: cannot open model" "$BIN" model-info "$T/none.onnx"
head -c 37 "$T/unet.onnx" >"$T/cut.onnx"
expect_err "sigmix: $T/cut.onnx: truncated or malformed protobuf (initializer 's': 10 of its 25 bytes present)" \
    "$BIN" model-info "$T/cut.onnx"
head -c 300 "$T/unet.onnx" >"$T/cut.onnx"
expect_err "sigmix: $T/cut.onnx: truncated or malformed protobuf (node 'pool2' (?): 23 of its 65 bytes present)" \
    "$BIN" model-info "$T/cut.onnx"
expect_err "sigmix: $T: not a regular file (a directory)" "$BIN" model-info "$T"
mkfifo "$T/fifo.onnx"
expect_err "sigmix: $T/fifo.onnx: not a regular file (a pipe)" timeout 10 "$BIN" model-info "$T/fifo.onnx"
rm -f "$T/fifo.onnx"

# --- planned memory (D11): a 185-byte Resize x2048 model is refused at load, naming the
# node, in well under a second; the limit can be raised or lowered
[ "$(stat -c %s "$T/bomb.onnx")" -lt 250 ] || fail "bomb model too big"
# CPU time of finished children in ms, from bash `times` run in this shell (its second
# line): a wall-clock bound fails on a loaded machine; a CPU bound still catches a run that
# computes the bomb
child_cpu_ms() {
    times >"$T/times"
    tail -1 "$T/times" | awk '{ n = 0; for (i = 1; i <= 2; i++) { split($i, a, /[ms]/);
        n += a[1] * 60000 + a[2] * 1000 } printf "%d\n", n }'
}
child_cpu_ms >"$T/start"
expect_err "sigmix: $T/bomb.onnx: node 'Resize_3' (Resize): planned memory 6.0 GiB at input 1x3x8x8 exceeds --max-model-memory 4.0 GiB" \
    "$BIN" model-info "$T/bomb.onnx"
child_cpu_ms >"$T/end"
[ $(( $(cat "$T/end") - $(cat "$T/start") )) -lt 2000 ] || fail "bomb refusal took over 2 s of CPU"
expect_err "exceeds --max-model-memory 5.0 GiB" "$BIN" model-info "$T/bomb.onnx" --max-model-memory 5G
"$BIN" model-info "$T/bomb.onnx" --max-model-memory 0 | tail -2 >"$T/bomb_info" || fail "bomb unlimited"
printf 'peak memory per run (1 thread):\n  8x8  6.0 GiB\n' | diff - "$T/bomb_info" || fail "bomb figure"
dd if=/dev/zero of="$T/g.f32" bs=768 count=1 2>/dev/null
# refused before any large allocation: 1 GiB of address space is plenty (not under
# ASan, whose shadow memory needs terabytes of address space)
vlim=1048576
grep -qa __asan_init "$BIN" && vlim=unlimited
expect_err "node 'Resize_3' (Resize): planned memory 6.0 GiB at input 1x3x8x8 exceeds --max-model-memory 4.0 GiB" \
    bash -c 'ulimit -v "$0"; exec "$@"' "$vlim" "$BIN" model-run "$T/bomb.onnx" --input "$T/g.f32" \
    --shape 1x3x8x8 --output "$T/b.f32"
expect_err "sigmix: $T/grow.onnx: node 'Resize_3' (Resize): planned memory 6.0 MiB at input 1x3x8x8 exceeds --max-model-memory 5.0 MiB" \
    "$BIN" model-run "$T/grow.onnx" --input "$T/g.f32" --shape 1x3x8x8 --output "$T/g_out.f32" \
    --max-model-memory 5MiB --threads 1
# the plan is exact: 3 MiB arena + 3 MiB + 4 bytes returned + 20480 bytes of Resize tables
expect_err "exceeds --max-model-memory 6.0 MiB" "$BIN" model-run "$T/grow.onnx" --input "$T/g.f32" \
    --shape 1x3x8x8 --output "$T/g_out.f32" --max-model-memory 6311939 --threads 1
[ -e "$T/g_out.f32" ] && fail "refused run left an output"
"$BIN" model-run "$T/grow.onnx" --input "$T/g.f32" --shape 1x3x8x8 --output "$T/g_out.f32" \
    --max-model-memory 6311940 --threads 1 || fail "grow run at its exact plan"
[ "$(stat -c %s "$T/g_out.f32")" -eq $((3 * 512 * 512 * 4)) ] || fail "grow output size"
expect_err "bad --max-model-memory value" "$BIN" model-run "$T/grow.onnx" --input "$T/g.f32" \
    --shape 1x3x8x8 --output "$T/o.f32" --max-model-memory 12X
expect_err "bad --max-model-memory value" "$BIN" model-info "$T/grow.onnx" --max-model-memory -1
"$BIN" model-info "$T/grow.onnx" --max-model-memory 100M | grep -qx "  640x360  7.0 GiB  (over --max-model-memory)" ||
    fail "model-info marks sizes over the limit"
expect_err "sigmix: model-info: missing MODEL.onnx (try 'sigmix help model-info')" "$BIN" model-info
"$BIN" model-info --help | grep -q "Usage: sigmix model-info" || fail "model-info --help"

# --- model-run: exact result of y = 2x + 1
"$BIN" model-run "$T/affine.onnx" --input "$T/affine_in.f32" --shape 1x1x3x5 \
    --output "$T/y.f32" --threads 1 || fail "model-run affine"
cmp -s "$T/y.f32" "$T/affine_want.f32" || fail "affine output differs"
"$BIN" model-run "$T/affine.onnx" --input "$T/affine_in.f32" --shape 1x1x3x5 \
    --output "$T/y2.f32" --repeat 3 --threads 2 >"$T/rep" || fail "model-run --repeat"
grep -Eqx "median [0-9]+\.[0-9]{2} ms per run" "$T/rep" || fail "repeat line: $(cat "$T/rep")"
cmp -s "$T/y2.f32" "$T/affine_want.f32" || fail "affine output with threads differs"

# --- padding: unet needs multiples of 4; 7x10 pads and crops, --no-pad refuses
dd if=/dev/zero of="$T/z.f32" bs=280 count=1 2>/dev/null
"$BIN" model-run "$T/unet.onnx" --input "$T/z.f32" --shape 1x1x7x10 --output "$T/u.f32" ||
    fail "padded run"
[ "$(stat -c %s "$T/u.f32")" -eq $((4 * 7 * 10 * 4)) ] || fail "padded output size"
rm -f "$T/u.f32"
expect_err "input height 7 is not a multiple of 4, which the model requires (padding is off)" \
    "$BIN" model-run "$T/unet.onnx" --input "$T/z.f32" --shape 1x1x7x10 --output "$T/u.f32" --no-pad
[ -e "$T/u.f32" ] && fail "failed run left an output"
ls "$T" | grep -q "tmp" && fail "temporary file left behind"

# --- --profile: one row per operator type that ran (the Relu is folded into the Conv),
# nodes per run, shares adding up to the total
"$BIN" model-run "$T/unet.onnx" --input "$T/z.f32" --shape 1x1x7x10 --output "$T/u.f32" \
    --profile --repeat 2 --threads 1 >"$T/prof" || fail "profile run"
grep -Eqx "median [0-9]+\.[0-9]{2} ms per run" "$T/prof" || fail "profile median line"
grep -qx "profile (per run, mean of 2; 1 thread):" "$T/prof" || fail "profile header: $(cat "$T/prof")"
awk '$1 ~ /^(Conv|MaxPool|Resize|Concat|Sigmoid)$/ { print $1, $2 }' "$T/prof" | sort >"$T/prof_rows"
printf 'Concat 1\nConv 1\nMaxPool 2\nResize 2\nSigmoid 1\n' | diff - "$T/prof_rows" || fail "profile rows"
grep -q "^  Relu" "$T/prof" && fail "folded Relu listed"
awk '$1 ~ /^(Conv|MaxPool|Resize|Concat|Sigmoid)$/ { s += $4 + 0; ms += $3 }
     $1 == "total" { t = $2; share = $3 }
     END { exit !(s > 99.0 && s < 101.0 && share == "100.0%" && ms - t < 0.01 && t - ms < 0.01) }' \
    "$T/prof" || fail "profile shares/total: $(cat "$T/prof")"
# CPU time and span per operator: one thread does all the work, so cpu = span and the
# efficiency is 100%; with 3 threads the span cannot exceed the CPU time
awk '$1 ~ /^(Conv|MaxPool|Resize|Concat|Sigmoid|total)$/ { n++; c = $(NF-2); s = $(NF-1)
         if (c != s || $NF != "100%" || c < 0) bad = 1 }
     END { exit !(n == 6 && !bad) }' "$T/prof" || fail "profile cpu/span, 1 thread: $(cat "$T/prof")"
"$BIN" model-run "$T/unet.onnx" --input "$T/z.f32" --shape 1x1x7x10 --output "$T/u.f32" \
    --profile --repeat 2 --threads 3 >"$T/prof3" || fail "profile run, 3 threads"
grep -qx "profile (per run, mean of 2; 3 threads):" "$T/prof3" || fail "profile header: $(cat "$T/prof3")"
awk '$1 == "total" { c = $(NF-2); s = $(NF-1); e = $NF + 0
         exit !(c > 0 && s > 0 && s <= c + 0.001 && e >= 33 && e <= 100) }' "$T/prof3" ||
    fail "profile cpu/span, 3 threads: $(cat "$T/prof3")"

# --- usage and input errors
expect_err "input holds 280 bytes, its shape needs 100 float32 values (400 bytes)" \
    "$BIN" model-run "$T/affine.onnx" --input "$T/z.f32" --shape 1x1x10x10 --output "$T/o.f32"
expect_err "sigmix: $T/z.f32: input holds more than" \
    "$BIN" model-run "$T/affine.onnx" --input "$T/z.f32" --shape 1x1x2x5 --output "$T/o.f32"
expect_err "input channel is 2, the model expects 1" \
    "$BIN" model-run "$T/affine.onnx" --input "$T/z.f32" --shape 1x2x5x7 --output "$T/o.f32"
expect_err "bad --shape" "$BIN" model-run "$T/affine.onnx" --input "$T/z.f32" --shape 1x3x7 \
    --output "$T/o.f32"
expect_err "--shape too large" "$BIN" model-run "$T/affine.onnx" --input "$T/z.f32" \
    --shape 16777216x16777216x16777216x16777216 --output "$T/o.f32"
expect_err "bad --threads" "$BIN" model-run "$T/affine.onnx" --input "$T/z.f32" \
    --shape 1x1x7x10 --output "$T/o.f32" --threads -1
expect_err "sigmix: model-run: needs MODEL.onnx, --input, --shape and --output (try 'sigmix help model-run')" "$BIN" model-run "$T/affine.onnx"
expect_err "cannot open input" "$BIN" model-run "$T/affine.onnx" --input "$T/nope.f32" \
    --shape 1x1x7x10 --output "$T/o.f32"
# Missing folders are created (the output rule); a folder as the output is
# refused before the model is even loaded.
"$BIN" model-run "$T/affine.onnx" --input "$T/z.f32" --shape 1x1x7x10 \
    --output "$T/nodir/sub/o.f32" 2>"$T/err" || fail "missing folders not created: $(cat "$T/err")"
[ -s "$T/nodir/sub/o.f32" ] || fail "no output in the created folders"
rm -rf "$T/nodir"
mkdir "$T/adir"
expect_err "sigmix: $T/adir: is a folder, not a file" "$BIN" model-run "$T/nope.onnx" \
    --input "$T/z.f32" --shape 1x1x7x10 --output "$T/adir"
[ -e "$T/o.f32" ] && fail "failed runs left an output"

# --- the mixed model runs at an odd size with every thread count
"$BIN" model-run "$T/mixed.onnx" --input "$T/mixed_in.f32" --shape 1x3x9x11 --output "$T/m1.f32" \
    --threads 1 || fail "mixed run"
"$BIN" model-run "$T/mixed.onnx" --input "$T/mixed_in.f32" --shape 1x3x9x11 --output "$T/m2.f32" \
    --threads 3 || fail "mixed run threads"
"$F32CMP" "$T/m1.f32" "$T/m2.f32" 1e-6 >/dev/null || fail "mixed threads differ"

if [ $fails -gt 0 ]; then
    echo "$fails failure(s)"
    exit 1
fi
echo "model CLI tests passed"
