#!/bin/sh
# SPDX-License-Identifier: MIT
# libxnf's freestanding core may reference only what a guest kernel brings:
# memcpy, memset and memmove.  Usage: check_freestanding.sh NM LIBRARY.a
set -eu
nm=$1
lib=$2

defined=$("$nm" --defined-only "$lib" | awk 'NF == 3 { print $3 }' | sort -u)
undefined=$("$nm" -u "$lib" | awk '$1 == "U" { print $2 }' | sort -u)

# Guard against a vacuous pass (empty or unreadable archive).
for sym in xnf_init xnf_send xnf_recv xnf_shutdown; do
    if ! printf '%s\n' "$defined" | grep -qx "$sym"; then
        echo "FAIL: $lib does not define $sym" >&2
        exit 1
    fi
done

bad=$(printf '%s\n' "$undefined" | grep -vx -e memcpy -e memset -e memmove \
      -e '' | while read -r sym; do
          printf '%s\n' "$defined" | grep -qx "$sym" || echo "$sym"
      done)
if [ -n "$bad" ]; then
    echo "FAIL: $lib references symbols a guest kernel lacks:" >&2
    printf '  %s\n' $bad >&2
    exit 1
fi
echo "ok: $lib references only memcpy/memset/memmove outside itself"
