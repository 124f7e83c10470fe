#!/bin/bash
# `sigmix help CMD` is `sigmix CMD --help` for every command in the top-level
# list, and the list's name column fits the longest name.
set -u
fail() { echo "FAIL: $*"; exit 1; }
bin=${SIGMIX_BIN:?}
top=$("$bin" --help) || fail "sigmix --help"
cmds=$(echo "$top" | sed -n '/^Commands:/,/^$/p' | awk 'NF > 1 {print $1}')
[ "$(echo "$cmds" | wc -l)" -ge 8 ] || fail "command list: $cmds"
for c in $cmds; do
    a=$("$bin" help "$c" 2>&1); ra=$?
    b=$("$bin" "$c" --help 2>&1); rb=$?
    [ "$ra" = "$rb" ] && [ "$a" = "$b" ] || fail "sigmix help $c differs from sigmix $c --help"
    # A command whose optional part is not built refuses (tests/install/features.sh).
    [ "$ra" = 0 ] || { [ "$ra" = 2 ] && echo "$a" | grep -qx "sigmix: $c: built without [A-Za-z]* support"; } ||
        fail "sigmix help $c: exit $ra"
done
err=$("$bin" help no-such-command 2>&1); rc=$?
[ "$rc" = 2 ] && [ "$err" = "sigmix: unknown command 'no-such-command' (try 'sigmix --help')" ] ||
    fail "help of an unknown command: exit $rc, '$err'"
# Every summary starts in the same column, two spaces after the longest name.
longest=$(echo "$cmds" | awk '{ if (length($1) > m) m = length($1) } END { print m }')
echo "$top" | sed -n '/^Commands:/,/^$/p' | awk 'NF > 1' | while IFS= read -r line; do
    name=${line#  }; name=${name%% *}
    rest=${line:$((2 + longest + 2))}
    [ "${line:$((2 + longest)):2}" = "  " ] && [ "${rest:0:1}" != " " ] ||
        fail "misaligned: '$line'"
done || exit 1
echo "ok: $(echo "$cmds" | wc -w) commands"
