#!/bin/bash
# `meson install --destdir D` puts the library, headers, sigmix.pc, man page
# and program under D; a program built with `pkg-config --cflags --libs
# sigmix` against D reads a table and runs an audit, and agrees with the
# installed sigmix's audit summary.
set -u
fail() { echo "FAIL: $*"; exit 1; }
B=${SIGMIX_BUILD:?}
S=${SIGMIX_SRC:?}
T=$(mktemp -d "${TMPDIR:-/tmp}/sigmix_install.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
D=$T/dest

meson install -C "$B" --no-rebuild --destdir "$D" --quiet >"$T/log" 2>&1 ||
    { cat "$T/log"; fail "meson install"; }
prefix=$(meson introspect "$B" --buildoptions | python3 -c \
    'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"]=="prefix"))')
libdir=$(meson introspect "$B" --buildoptions | python3 -c \
    'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"]=="libdir"))')
case $libdir in /*) ;; *) libdir=$prefix/$libdir ;; esac
# A sanitizer build's library needs the same runtime in the consumer.
san=$(meson introspect "$B" --buildoptions | python3 -c \
    'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"]=="b_sanitize"))')
sanflags=
[ "$san" = none ] || sanflags=-fsanitize=$san
R=$D$prefix
L=$D$libdir

for f in "$R/bin/sigmix" "$R/include/sigmix/sigmix.h" "$R/include/sigmix/version.h" \
         "$R/include/sigmix/output.h" "$L/pkgconfig/sigmix.pc" "$R/share/man/man1/sigmix.1"; do
    [ -e "$f" ] || fail "not installed: ${f#$D}"
done
[ -L "$L/libsigmix.so" ] && [ -e "$L/libsigmix.so.0" ] || fail "libsigmix.so / .so.0 not installed"
# The soname follows the API major, not the full version.
readelf -d "$L/libsigmix.so.0" | grep -q 'SONAME.*\[libsigmix\.so\.0\]' || fail "soname is not libsigmix.so.0"
[ ! -e "$L/libsigmix.a" ] || fail "the internal static archive was installed"
# Plugins live in $libdir/sigmix/, where libsigmix.so looks for them.
for p in $(cd "$B" && ls sigmix-*.so); do
    [ -e "$L/sigmix/$p" ] || fail "plugin not installed: $libdir/sigmix/$p"
done
# The installed program uses the installed library.
readelf -d "$R/bin/sigmix" | grep -q 'NEEDED.*\[libsigmix\.so\.0\]' || fail "sigmix does not link libsigmix.so.0"

export PKG_CONFIG_PATH=$L/pkgconfig PKG_CONFIG_SYSROOT_DIR=$D
flags=$(pkg-config --cflags --libs sigmix) || fail "pkg-config sigmix"
[ "$(pkg-config --modversion sigmix)" = "$(sed -n "s/^ *version : '\(.*\)',$/\1/p" "$S/meson.build")" ] ||
    fail "sigmix.pc version differs from the project's"
# shellcheck disable=SC2086
${CC:-cc} -std=c11 -Wall -Wextra -Werror $sanflags -o "$T/consumer" "$S/tests/install/consumer.c" $flags ||
    fail "compile with pkg-config flags: $flags"
in=$S/examples/vmaf_features.jsonl
out=$(LD_LIBRARY_PATH=$L "$T/consumer" "$in") || fail "consumer failed: $out"
rows=$(grep -c . "$in")
echo "$out" | grep -qx "rows=$rows cols=[0-9]*" || fail "consumer read: $out"
(cd "$T" && LD_LIBRARY_PATH=$L "$R/bin/sigmix" audit --input "$in" --out-json a.json >cli.txt) ||
    fail "installed sigmix audit"
want=$(sed -n 's/^\[signal-mix\] \(tables=[0-9]* \)\(missing_families=[0-9]* weak_families=[0-9]*\).*/\1rows='"$rows"' \2/p' "$T/cli.txt")
got=$(echo "$out" | sed -n 2p)
[ -n "$want" ] && [ "$got" = "$want" ] || fail "consumer audit '$got', CLI says '$want'"
echo "ok: installed under $prefix, consumer: $got"
