#!/bin/bash
# Optional parts (meson_options.txt): a command whose part is not built
# fails with one line and status 2; a built one runs.
set -u
fail() { echo "FAIL: $*"; exit 1; }
B=${SIGMIX_BUILD:?}
bin=${SIGMIX_BIN:?}
# ffmpeg onnx fftw, as configured (one python start: slow on a loaded machine)
read -r o_ffmpeg o_onnx o_fftw < <(python3 -c 'import json,sys
o = {x["name"]: x["value"] for x in json.load(open(sys.argv[1]))}
print(o["ffmpeg"], o["onnx"], o["fftw"])' "$B/meson-info/intro-buildoptions.json") || fail "build options"
# check CMD MISSING-PART-OR-EMPTY
check() {
    local out rc
    out=$("$bin" "$1" --help 2>&1); rc=$?
    if [ -n "$2" ]; then
        [ $rc -eq 2 ] || fail "$1 without $2: status $rc"
        [ "$out" = "sigmix: $1: built without $2 support" ] || fail "$1 without $2: '$out'"
        out=$("$bin" help "$1" 2>&1) && fail "help $1 succeeded without $2"
        [ "$out" = "sigmix: $1: built without $2 support" ] || fail "help $1 without $2: '$out'"
    else
        [ $rc -eq 0 ] || fail "$1 --help: status $rc: $out"
        echo "$out" | grep -q "^Usage: sigmix $1" || fail "$1 --help: $out"
    fi
}
ff=; onnx=; fftw=
[ "$o_ffmpeg" = disabled ] && ff=FFmpeg
[ "$o_onnx" = disabled ] && onnx=ONNX
[ "$o_fftw" = disabled ] && fftw=FFTW
sal=${ff:-${onnx:-$fftw}}
check saliency "$sal"
check model-info "$onnx"
check model-run "$onnx"
check audit ""
check cat ""
echo "ok: ffmpeg=$o_ffmpeg onnx=$o_onnx fftw=$o_fftw"
