#!/bin/bash
# Optional parts (meson_options.txt): a command whose part is not built
# fails with one line and status 2; a built one runs.
set -u
fail() { echo "FAIL: $*"; exit 1; }
B=${SIGMIX_BUILD:?}
bin=${SIGMIX_BIN:?}
opt() { python3 -c 'import json,sys; print({x["name"]:x["value"] for x in json.load(open(sys.argv[1]))}[sys.argv[2]])' \
        "$B/meson-info/intro-buildoptions.json" "$1"; }
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
[ "$(opt ffmpeg)" = disabled ] && ff=FFmpeg
[ "$(opt onnx)" = disabled ] && onnx=ONNX
[ "$(opt fftw)" = disabled ] && fftw=FFTW
sal=${ff:-${onnx:-$fftw}}
check saliency "$sal"
check model-info "$onnx"
check model-run "$onnx"
check audit ""
check cat ""
echo "ok: ffmpeg=$(opt ffmpeg) onnx=$(opt onnx) fftw=$(opt fftw)"
