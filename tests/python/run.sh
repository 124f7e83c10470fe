#!/bin/sh
# Run one Python test file with an interpreter that has numpy: Debian's
# /usr/bin/python3 first (a pyenv python3 earlier on PATH may lack it).
# Exit 77 (skip) when none has numpy.
# Usage: run.sh TEST.py LIBSIGMIX ABI_SIZES GEN_CLIP
test_file=$1
export SIGMIX_LIBRARY="$2" SIGMIX_ABI_SIZES="$3" SIGMIX_GEN_CLIP="$4"
for py in /usr/bin/python3 python3; do
    if command -v "$py" >/dev/null 2>&1 && "$py" -c 'import numpy' 2>/dev/null; then
        PYTHONPATH="$SIGMIX_SRC/python${PYTHONPATH:+:$PYTHONPATH}" \
            PYTHONDONTWRITEBYTECODE=1 exec "$py" "$test_file"
    fi
done
echo "no python3 with numpy (Debian: python3-numpy): skipping"
exit 77
