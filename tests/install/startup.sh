#!/bin/bash
# Start-up cost (docs/PERFORMANCE.md, "Start-up"): libsigmix.so and the
# program link none of FFmpeg, FFTW, OpenBLAS, libxml2, the compression
# libraries or libcsv; --version, a small audit, cat and a join never load
# the heavy ones, --version and a JSON Lines audit none of the codecs; the
# plugins load when needed.
set -u
fail() { echo "FAIL: $*"; exit 1; }
B=${SIGMIX_BUILD:?}
S=${SIGMIX_SRC:?}
bin=${SIGMIX_BIN:?}
T=$(mktemp -d "${TMPDIR:-/tmp}/sigmix_startup.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
heavy='libav|libsw|fftw|openblas|libxml2|libicu'
codecs='libz\.so|libzstd|libsnappy|libbrotli|liblz4|libcsv'

needed=$(readelf -d "$B/libsigmix.so.0" "$bin" | sed -n 's/.*NEEDED.*\[\(.*\)\]/\1/p')
echo "$needed" | grep -E "$heavy|$codecs" && fail "linked at load time: $(echo "$needed" | grep -E "$heavy|$codecs")"
# The program itself: libsigmix and the C runtime (plus a sanitizer's).
other=$(readelf -d "$bin" | sed -n 's/.*NEEDED.*\[\(.*\)\]/\1/p' |
        grep -vE '^(libsigmix\.so\.0|libc\.so\.6|libdl\.so\.2|libm\.so\.6|libgcc_s\.so\.1|libasan\.so\.[0-9]+|libubsan\.so\.[0-9]+)$')
[ -z "$other" ] || fail "sigmix needs more than libsigmix and libc: $other"

# Objects the dynamic loader opened while running "$@" (LD_DEBUG=files).
loaded() { LD_DEBUG=files LD_DEBUG_OUTPUT=$T/ld "$@" >/dev/null 2>"$T/err"; local rc=$?
           cat "$T"/ld.* | sed -n 's/.*calling init: \(.*\)/\1/p' | sort -u; rm -f "$T"/ld.*; return $rc; }
head -10 "$S/examples/vmaf_features.jsonl" >"$T/t10.jsonl"
printf '{"clip_name":"a.mp4","vmaf":90}\n{"clip_name":"b.mp4","vmaf":80}\n' >"$T/feat.jsonl"
printf 'clip_name,mos\na.mp4,4.5\nb.mp4,3\n' >"$T/labels.csv"
for cmd in "--version" "audit --input $T/t10.jsonl --out-json $T/a.json" \
           "cat $T/t10.jsonl --head 3 --output $T/c.csv" \
           "mos-labels --features $T/feat.jsonl --labels $T/labels.csv --out $T/m.jsonl" \
           "second-opinion --help"; do
    # shellcheck disable=SC2086
    objs=$(loaded "$bin" $cmd) || fail "sigmix $cmd: $(cat "$T/err")"
    bad=$(echo "$objs" | grep -E "$heavy|sigmix-")
    case $cmd in --version|audit*) bad=$bad$(echo "$objs" | grep -E "$codecs") ;; esac
    [ -z "$bad" ] || fail "sigmix $cmd loaded: $bad"
done
grep -q '"mos":3' "$T/m.jsonl" || fail "mos-labels output: $(cat "$T/m.jsonl")"

# A big enough audit opens OpenBLAS (and only then).
python3 - "$T/wide.csv" <<'PY' || fail "make wide table"
import random, sys
random.seed(7)
cols = ["vmaf"] + ["f%d" % i for i in range(150)]
with open(sys.argv[1], "w") as f:
    f.write(",".join(cols) + "\n")
    for r in range(300):
        f.write(",".join("%.4f" % random.random() for _ in cols) + "\n")
PY
objs=$(loaded "$bin" audit --input "$T/wide.csv" --out-json "$T/w.json") || fail "wide audit: $(cat "$T/err")"
if python3 -c 'import json,sys; o={x["name"]:x["value"] for x in json.load(open(sys.argv[1]))}; sys.exit(o["onnx"]=="disabled")' \
       "$B/meson-info/intro-buildoptions.json"; then
    echo "$objs" | grep -q openblas || fail "a 151-column, 300-row audit did not use OpenBLAS"
fi
echo "$objs" | grep -qE 'libav|fftw|libxml2' && fail "the audit loaded a video or XML library"

# An XML log opens sigmix-xml.so and libxml2 beside libsigmix.so.
cat >"$T/log.xml" <<'XML'
<?xml version="1.0"?>
<VMAF version="2.3.1">
  <frames>
    <frame frameNum="0" vmaf="90.5" />
    <frame frameNum="1" vmaf="91.5" />
  </frames>
</VMAF>
XML
objs=$(loaded "$bin" vmaf-logs "$T/log.xml" --out "$T/v.csv") || fail "vmaf-logs xml: $(cat "$T/err")"
echo "$objs" | grep -q libxml2 || fail "vmaf-logs read XML without libxml2?"
echo "$objs" | grep -q "$B/sigmix-xml.so" ||
    fail "vmaf-logs did not load sigmix-xml.so"
grep -q '91.5' "$T/v.csv" || fail "vmaf-logs output: $(cat "$T/v.csv")"
echo "ok: no heavy library at start-up; OpenBLAS and the XML plugin on demand"

# The public saliency API through libsigmix.so opens sigmix-video.so
# beside it (build tree) and gives the plugin's answer.
if python3 -c 'import json,sys; o={x["name"]:x["value"] for x in json.load(open(sys.argv[1]))}; sys.exit(any(o[k]=="disabled" for k in ("ffmpeg","onnx","fftw")))' \
       "$B/meson-info/intro-buildoptions.json"; then
    cat >"$T/hash.c" <<'C'
#include <stdio.h>
#include <sigmix/sigmix.h>
int main(int argc, char **argv)
{
    char hex[65]; uint64_t size; sigmix_error err;
    if (argc != 2 || sigmix_saliency_hash_input(argv[1], hex, &size, NULL, &err)) {
        fprintf(stderr, "hash: %s\n", argc == 2 ? err.message : "usage");
        return 2;
    }
    printf("%s\n", hex);
    return 0;
}
C
    ${CC:-cc} -std=c11 -o "$T/hash" "$T/hash.c" -I"$S/include" -I"$B/include" -L"$B" -lsigmix \
        -Wl,-rpath,"$B" $(python3 -c 'import json,sys; o={x["name"]:x["value"] for x in json.load(open(sys.argv[1]))}; print("" if o["b_sanitize"]=="none" else "-fsanitize="+o["b_sanitize"])' "$B/meson-info/intro-buildoptions.json") ||
        fail "compile the hash client"
    objs=$(loaded "$T/hash" "$T/t10.jsonl") || fail "hash client: $(cat "$T/err")"
    echo "$objs" | grep -q "$B/sigmix-video.so" || fail "sigmix_saliency_hash_input did not load sigmix-video.so"
    [ "$("$T/hash" "$T/t10.jsonl")" = "$(sha256sum <"$T/t10.jsonl" | cut -c1-64)" ] || fail "plugin hash differs"
    # Without the plugin beside the library: one clear error.
    mkdir "$T/lonely" && cp "$B/libsigmix.so.0" "$T/lonely/"
    out=$(LD_LIBRARY_PATH=$T/lonely "$T/hash" "$T/t10.jsonl" 2>&1) && fail "ran without the plugin"
    [ "$out" = "hash: plugin sigmix-video.so not found in $T/lonely/sigmix or $T/lonely" ] ||
        fail "missing plugin message: $out"
fi
echo "ok: the video plugin answers through libsigmix.so"
