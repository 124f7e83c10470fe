#!/bin/bash
# The output rule through the commands (docs/outputs.md): symlinks written
# through, FIFOs and devices written in place, folders created, outputs
# checked before any work, reports and tables committed together, stale
# temporaries removed, the saliency journal never followed through a link,
# --in-place through a link. $1: the saliency clip generator.
# Never points an output at a system device: device cases use a scratch
# node made with mknod (a copy of /dev/full).
set -u
GEN=${1:?}
BIN=${SIGMIX_BIN:?}
SRC=${SIGMIX_SRC:?}
T=$(mktemp -d "${TMPDIR:-/tmp}/sigmix-outputs.XXXXXX")
MNT=""
cleanup() {
    [ -n "$MNT" ] && umount "$MNT" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# run EXPECTED_EXIT CMD...: sigmix with stdout/stderr kept in $T/out, $T/err
run() {
    local want=$1; shift
    timeout 60 "$BIN" "$@" >"$T/out" 2>"$T/err"
    local got=$?
    [ "$got" -eq "$want" ] || fail "exit $got, expected $want: sigmix $* :: $(head -c 300 "$T/err")"
}
err_is() { [ "$(cat "$T/err")" = "$1" ] || fail "stderr '$(cat "$T/err")', expected '$1'"; }
err_like() { # GLOB: one line matching
    [ "$(wc -l < "$T/err")" = 1 ] || fail "stderr is not one line: $(cat "$T/err")"
    # shellcheck disable=SC2053
    [[ "$(cat "$T/err")" == $1 ]] || fail "stderr '$(cat "$T/err")' does not match '$1'"
}
no_temps() { # FOLDER: no sigmix temporary or backup left
    local left
    left=$(find "$1" -name '*.sigmix-tmp.*' -o -name '*.sigmix-bak.*' 2>/dev/null)
    [ -z "$left" ] || fail "temporaries left: $left"
}

IN="$SRC/examples/ugc_mos.csv"
cd "$T" || exit 1

# ---- a symlink is written through; the link stays --------------------------------
mkdir real
echo old > real/r.json
ln -s real/r.json link.json
run 0 audit --input "$IN" --out-json link.json
[ -L link.json ] || fail "symlink output replaced by a file"
grep -q '"tables"' real/r.json || fail "symlink target did not get the report"
# a chain, with a relative link in another folder
mkdir -p chain
ln -s ../real/r2.md chain/l2.md
ln -s chain/l2.md l1.md
run 0 audit --input "$IN" --out-md l1.md
[ -L l1.md ] && [ -L chain/l2.md ] || fail "link chain not kept"
grep -q '^# ' real/r2.md || fail "chain target did not get the report"
no_temps "$T"

# ---- the permission bits of a replaced file are kept ---------------------------------
echo old > kept.json
chmod 600 kept.json
run 0 audit --input "$IN" --out-json kept.json
[ "$(stat -c %a kept.json)" = 600 ] || fail "mode of a replaced file: $(stat -c %a kept.json)"
(umask 027 && "$BIN" audit --input "$IN" --out-json fresh.json >/dev/null 2>&1)
[ "$(stat -c %a fresh.json)" = 640 ] || fail "new file ignores the umask: $(stat -c %a fresh.json)"

# ---- a FIFO gets the bytes, in place ------------------------------------------------------
mkfifo pipe.json
timeout 20 cat pipe.json > got.json &
reader=$!
run 0 audit --input "$IN" --out-json pipe.json
wait "$reader" || fail "FIFO reader failed or timed out"
[ -p pipe.json ] || fail "FIFO replaced"
grep -q '"tables"' got.json || fail "FIFO reader did not get the report"

# ---- a character device: the error is reported, the device stays -----------------------
if mknod full c 1 7 2>/dev/null && [ -w full ] && (: > full) 2>/dev/null; then
    run 2 audit --input "$IN" --out-json full
    err_like "sigmix: full: cannot write*"
    [ -c full ] || fail "a device copy was replaced by a file"
    run 2 cat "$IN" -o full --to csv
    [ -c full ] || fail "a device copy was replaced by a file (cat)"
else
    echo "note: no device node can be made here (not root or nodev): device case not run"
fi
no_temps "$T"

# ---- missing folders are created ----------------------------------------------------------
run 0 audit --input "$IN" --out-json new/a/b/r.json --out-md new/c/r.md
[ -s new/a/b/r.json ] && [ -s new/c/r.md ] || fail "missing folders not created"
run 0 cat "$IN" -o new/d/e/t.csv
[ -s new/d/e/t.csv ] || fail "cat: missing folders not created"

# ---- outputs are checked before any work ---------------------------------------------------
mkdir adir.json adir.csv
run 2 audit --input "$IN" --out-json adir.json
err_is "sigmix: adir.json: is a folder, not a file"
run 2 cat "$IN" -o adir.csv
err_is "sigmix: adir.csv: is a folder, not a file"
run 2 audit --input "$IN" --out-json - --out-md -
err_is "sigmix: audit: --out-json and --out-md cannot both go to standard output (try 'sigmix help audit')"
[ -s out ] && fail "two stdout outputs: something was written"
run 2 audit --input "$IN" --out-json - --out-md /dev/stdout
err_is "sigmix: audit: --out-json and --out-md cannot both go to standard output (try 'sigmix help audit')"

# ---- reports commit together: the old JSON survives a Markdown report that cannot be
#      written (before: the new JSON was renamed into place, then the run failed) ----
echo '{"old": true}' > pair.json
mkdir pair.md
run 2 audit --input "$IN" --out-json pair.json --out-md pair.md
err_is "sigmix: pair.md: is a folder, not a file"
[ "$(cat pair.json)" = '{"old": true}' ] || fail "JSON replaced although the Markdown failed"
no_temps "$T"

# ---- stale temporaries of a killed run are removed by the next run -----------------------
sh -c 'exit 0' & dead=$!
wait "$dead"
echo half > ".stale.json.sigmix-tmp.$dead.0123456789abcdef"
echo busy > ".stale.json.sigmix-tmp.$$.0123456789abcdef"   # this shell is alive
run 0 audit --input "$IN" --out-json stale.json
[ -e ".stale.json.sigmix-tmp.$dead.0123456789abcdef" ] && fail "stale temporary not removed"
[ -e ".stale.json.sigmix-tmp.$$.0123456789abcdef" ] || fail "a live run's temporary was removed"
rm -f ".stale.json.sigmix-tmp.$$.0123456789abcdef"

# ---- a signal during the write leaves no temporary file --------------------------------
# The Markdown report is a FIFO nobody reads, so the run blocks opening it
# while the JSON report's temporary exists; SIGTERM then ends it.
mkdir sig
mkfifo sig/md.fifo
timeout 30 "$BIN" audit --input "$IN" --out-json sig/r.json --out-md sig/md.fifo 2>/dev/null &
victim=$!
for _ in $(seq 100); do
    compgen -G 'sig/.r.json.sigmix-tmp.*' >/dev/null && break
    sleep 0.1
done
compgen -G 'sig/.r.json.sigmix-tmp.*' >/dev/null || fail "no temporary seen while blocked"
kill -TERM "$victim"
wait "$victim"
st=$?
[ "$st" = 143 ] || fail "SIGTERM: exit $st, expected 143"
no_temps sig
[ -e sig/r.json ] && fail "a report was published by an interrupted run"

# ---- ENOSPC while writing a regular file: the previous file is intact -------------------
mkdir mnt
if mount -t tmpfs -o size=256k tmpfs mnt 2>/dev/null; then
    MNT=$T/mnt
    echo previous > mnt/r.json
    dd if=/dev/zero of=mnt/filler bs=4k count=1000 2>/dev/null  # fills it up
    run 2 audit --input "$IN" --out-json mnt/r.json
    err_like "sigmix: mnt/r.json: cannot write*"
    [ "$(cat mnt/r.json)" = previous ] || fail "previous file damaged by ENOSPC"
    no_temps mnt
    umount mnt && MNT=""
else
    echo "note: cannot mount a tmpfs here; ENOSPC-on-rename case not run"
fi

# ---- saliency ---------------------------------------------------------------------------
mkdir clips
"$GEN" clips/a.yuv 64 36 4 50 210 8 6 10 5 2 || exit 1
printf '{"src": "a.yuv", "width": 64, "height": 36}\n' > s.jsonl

# an output that is a folder is refused before any clip is decoded: no journal
mkdir sdir.csv
run 2 saliency --input s.jsonl --output sdir.csv --root clips --quiet
err_is "sigmix: sdir.csv: is a folder, not a file"
[ -e sdir.csv.partial.jsonl ] && fail "work started (journal created) for a folder output"

# table + --audit-json commit together: an --audit-json folder keeps the old table
echo '{"src": "old"}' > pair.jsonl
mkdir pair_audit.json
run 2 saliency --input s.jsonl --output pair.jsonl --audit-json pair_audit.json --root clips --quiet
err_is "sigmix: pair_audit.json: is a folder, not a file"
[ "$(cat pair.jsonl)" = '{"src": "old"}' ] || fail "table replaced although --audit-json failed"
[ -e pair.jsonl.partial.jsonl ] && fail "work started for an unwritable --audit-json"

# the journal belongs to sigmix: a symlink is refused, its target untouched
echo 'precious line' > victim.txt
printf 'no newline at the end' >> victim.txt
ln -s victim.txt j.jsonl.partial.jsonl
run 2 saliency --input s.jsonl --output j.jsonl --root clips --quiet
err_is "sigmix: j.jsonl.partial.jsonl: resume journal is a symbolic link; refusing to follow it"
[ "$(cat victim.txt)" = "$(printf 'precious line\nno newline at the end')" ] ||
    fail "journal symlink target modified"
[ -e j.jsonl ] && fail "output written despite a refused journal"
mkfifo f.jsonl.partial.jsonl
run 2 saliency --input s.jsonl --output f.jsonl --root clips --quiet
err_is "sigmix: f.jsonl.partial.jsonl: resume journal is not a regular file"

# --in-place through a symlink writes the target; the link stays
mkdir data
cp s.jsonl data/t.jsonl
ln -s data/t.jsonl via.jsonl
run 0 saliency --input via.jsonl --in-place --root clips --quiet
[ -L via.jsonl ] || fail "--in-place replaced the symlink"
grep -q '"saliency_status":"ok"' data/t.jsonl || fail "--in-place did not write the link's target"
[ -e via.jsonl.partial.jsonl ] && fail "journal left after a committed run"
no_temps "$T"

if [ "$fails" -ne 0 ]; then
    echo "$fails failure(s)"
    exit 1
fi
echo "outputs: all checks passed"
