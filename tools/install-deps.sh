#!/bin/sh
# Install the Debian packages named as arguments when any is missing.
# As root: apt-get install. Otherwise: print the exact command and fail.
missing=""
for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $p"
done
[ -z "$missing" ] && exit 0
cmd="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" != 0 ]; then
    echo "sigmix: missing packages:$missing" >&2
    echo "run as root: apt-get update && $cmd" >&2
    exit 1
fi
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq && $cmd
