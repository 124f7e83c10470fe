# Helpers shared by the join CLI tests (sourced).
bin=$(readlink -f "${SIGMIX_BIN:?}")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
cd "$tmp" || exit 1

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# expect_err STATUS EXACT_STDERR -- COMMAND ARGS...: exit status and the
# whole stderr; nothing may be written at the paths in $NOT_WRITTEN.
expect_err() {
    local want=$1 msg=$2
    shift 3
    "$bin" "$@" >stdout.txt 2>stderr.txt
    local got=$?
    if [ "$got" -ne "$want" ] || [ "$(cat stderr.txt)" != "$msg" ]; then
        fail "sigmix $*: status $got (want $want), stderr:"; cat stderr.txt
        echo "  wanted: $msg"
    fi
    for p in ${NOT_WRITTEN:-}; do
        [ -e "$p" ] && fail "sigmix $*: $p written on error"
    done
    ls -a . | grep -q '\.tmp\.' && fail "sigmix $*: temporary file left behind"
    return 0
}

# same FILE EXPECTED_FILE: exact comparison with a diff on failure
same() {
    if ! cmp -s "$1" "$2"; then
        fail "$1 differs from the expected output:"; diff "$2" "$1" | head -20
    fi
}

# Mask what changes between runs: the executable's path and hash, the
# host and the times (their format is checked first).
mask() {
    grep -Eq '"started_utc": "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z"' "$1" ||
        fail "$1: started_utc missing or malformed"
    grep -Eq '"finished_utc": "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z"' "$1" ||
        fail "$1: finished_utc missing or malformed"
    awk -v exe="$(readlink -f "$bin")" -v sha="$(sha256sum "$(readlink -f "$bin")" | cut -c1-64)" '
        { gsub("\"" exe "\"", "\"SIGMIX\""); gsub("\"" sha "\"", "\"SIGMIX_SHA\"") }
        /"(started_utc|finished_utc|host)": / { sub(/: ".*"/, ": \"X\"") }
        { print }' "$1"
}

finish() {
    [ "$fails" -eq 0 ] && echo "$1: all passed"
    [ "$fails" -eq 0 ]
}
