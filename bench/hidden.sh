#!/bin/sh
# Whether a hidden path (stat denied: ENOENT) can be told from a missing
# one by how long husk takes to answer: median latency of each, side by
# side, per transport and per action (`deny` logs a line after the
# answer, `filter` logs nothing), all on one CPU. A ratio near 1.00 is
# the target.
set -eu
cd "$(dirname "$0")/.."
N=${N:-3000}
HUSK=${HUSK:-target/release/husk}
mkdir -p bench/out
cc -O2 -static -o bench/out/hidden-timing bench/hidden-timing.c 2>/dev/null ||
    cc -O2 -o bench/out/hidden-timing bench/hidden-timing.c
dir=$(mktemp -d "${TMPDIR:-/tmp}/husk-hidden.XXXXXX")
trap 'rm -rf "$dir"' EXIT
touch "$dir/hidden"
pin=
if command -v taskset >/dev/null 2>&1 && taskset -c 0 /bin/true 2>/dev/null; then
    pin="taskset -c 0"
fi
echo "samples: $N of each; husk's log to a file"
for transport in notify ptrace; do
    for action in deny filter; do
        printf '%-7s %-7s ' "$transport" "$action"
        # shellcheck disable=SC2086 # $pin is a command prefix or nothing
        $pin "$HUSK" -p off -m trace/transport:$transport -m sandbox/stat:on \
            -m default/stat:allow -m "$action/stat+$dir/hidden" -- \
            bench/out/hidden-timing "$N" "$dir/hidden" "$dir/missing" 2>"$dir/log" ||
            echo "(failed: see $dir/log)"
    done
done
