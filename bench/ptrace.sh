#!/bin/sh
# Per-call cost of husk's ptrace transport.
#
# The workload (bench/open-close.c) does N x (openat + close) of an
# allowed file. husk traps the openat and lets close run; so does the
# floor (bench/floor-ptrace.c), a single-threaded C tracer that does
# nothing but PTRACE_CONT each trapped call. We time, in one run:
#
#   bare     the workload alone
#   strace   under `strace -f -o /dev/null` (stops at every call, twice)
#   floor    under bench/out/floor-ptrace
#   husk     under `$HUSK $HUSK_OPTS --` (or, while husk's own `--`
#            path is not wired up, `husk-selftest supervise --`)
#
# each REPS times, interleaved, and report medians and ratios; the
# target is husk within 2x of the floor. A trapped call costs mostly
# context switches, so where the threads run matters as much as what
# they do; each mode is timed in every placement of PLACES:
#
#   one    everything on CPU 0 (taskset -c 0): the CPU work per call,
#          with no cross-CPU wake-ups; the steadiest numbers
#   split  the supervisor (all its threads) on CPU 0, the workload on
#          CPU 1: every stop and every resume wakes the other CPU
#   any    no pinning: the scheduler's choice, which can flip between
#          the two above from one run to the next
#
# Then the supervisor's peak RSS (VmHWM of its own process; peak_rss).
#
# Environment: N (iterations, 100000), REPS (5), PLACES ("one split
# any"), HUSK (target/release/husk), HUSK_OPTS (options before `--`),
# HUSK_SELFTEST (target/release/husk-selftest), CC (cc), FILE
# (/etc/passwd). POSIX sh, coreutils and awk only (taskset, from
# util-linux, for the pinned placements, which are skipped without it).
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh

N=${N:-100000}
REPS=${REPS:-5}
PLACES=${PLACES:-one split any}
HUSK=${HUSK:-target/release/husk}
# By default husk really checks every trapped openat: the read category
# is on and a rule allows the file (resolution, policy match and all).
# HUSK_OPTS="-m trace/transport:ptrace -p off" measures calls no
# category checks (the sandbox filter then allows them outright).
# The transport is forced: auto picks notify where the kernel has it
# (bench/notify.sh compares the two).
HUSK_OPTS=${HUSK_OPTS:--m trace/transport:ptrace -m sandbox/all:off -m sandbox/read:on -m allow/read+/***}
HUSK_SELFTEST=${HUSK_SELFTEST:-target/release/husk-selftest}
CC=${CC:-cc}
FILE=${FILE:-/etc/passwd}
OUT=bench/out

# --- build ---------------------------------------------------------
mkdir -p "$OUT"
# Static if the C library allows it (fewer start-up calls to trap).
if ! "$CC" -O2 -static -o "$OUT/open-close" bench/open-close.c 2>/dev/null; then
    "$CC" -O2 -o "$OUT/open-close" bench/open-close.c
fi
"$CC" -O2 -o "$OUT/floor-ptrace" bench/floor-ptrace.c
WORK="$OUT/open-close $N $FILE"
FLOOR="$OUT/floor-ptrace"

# The floor must be a correct supervisor, or the comparison is void.
set +e
"$FLOOR" sh -c 'exit 7'
s1=$?
"$FLOOR" sh -c 'kill -9 $$'
s2=$?
set -e
if [ "$s1" -ne 7 ] || [ "$s2" -ne 137 ]; then
    echo "floor-ptrace does not pass exit statuses through ($s1, $s2)" >&2
    exit 1
fi
echo "floor-ptrace passes exit statuses through (exit 7; a command killed on purpose with SIGKILL: 137): ok"

# --- what to measure -----------------------------------------------
# shellcheck disable=SC2086 # HUSK_OPTS is a list of words
if [ -x "$HUSK" ] && "$HUSK" $HUSK_OPTS -- /bin/true >/dev/null 2>&1; then
    HUSK_CMD="$HUSK${HUSK_OPTS:+ $HUSK_OPTS} --"
elif [ -x "$HUSK_SELFTEST" ] && "$HUSK_SELFTEST" supervise -- /bin/true >/dev/null 2>&1; then
    HUSK_CMD="$HUSK_SELFTEST supervise --"
    echo "note: \`$HUSK -- /bin/true\` fails; measuring the same supervisor through \`$HUSK_CMD\`"
else
    HUSK_CMD=
    echo "note: neither $HUSK nor $HUSK_SELFTEST can run /bin/true: husk not measured"
fi
if command -v strace >/dev/null 2>&1; then
    STRACE_CMD="strace -f -o /dev/null"
else
    STRACE_CMD=
    echo "note: strace is not installed: strace not measured"
fi
MODES=bare
[ -z "$STRACE_CMD" ] || MODES="$MODES strace"
MODES="$MODES floor"
[ -z "$HUSK_CMD" ] || MODES="$MODES husk"

check_places "$PLACES"

prefix() { # what goes in front of the workload for mode $1
    case $1 in
        bare) echo "" ;;
        strace) echo "$STRACE_CMD" ;;
        floor) echo "$FLOOR" ;;
        husk) echo "$HUSK_CMD" ;;
    esac
}

# --- timing --------------------------------------------------------
FAILED=0
# run PLACE MODE and stats SAMPLES: bench/lib.sh.

echo "open-close: N=$N x (openat + close) of $FILE; REPS=$REPS, median wall time"
echo "machine: $(nproc) CPUs, $(uname -sr), $(date -u +%Y-%m-%d)"
echo "husk: $HUSK_CMD"

for place in $places; do
    time_modes "$place"
    # shellcheck disable=SC2154 # set by time_modes' eval
    m_floor=${s_floor%% *}

    echo
    case $place in
        one) echo "-- one CPU: everything on CPU 0" ;;
        split) echo "-- split: supervisor on CPU 0, workload on CPU 1" ;;
        any) echo "-- any CPU: the scheduler's choice" ;;
    esac
    printf '%-7s %9s %17s %9s %9s %7s %7s\n' \
        mode "ms" "(min-max)" "ns/iter" "+ns/call" "x bare" "x floor"
    for mode in $MODES; do
        eval "s=\$s_$mode"
        if [ "$s" = fail ]; then
            printf '%-7s %9s\n' "$mode" failed
            FAILED=1
            continue
        fi
        # shellcheck disable=SC2086 # median min max
        set -- $s
        awk -v mode="$mode" -v t="$1" -v lo="$2" -v hi="$3" \
            -v b="$m_bare" -v f="$m_floor" -v n="$N" 'BEGIN {
            xb = (b != "fail" && b > 0) ? sprintf("%.2f", t / b) : "-"
            xf = (f != "fail" && f > 0) ? sprintf("%.2f", t / f) : "-"
            ov = (b != "fail") ? sprintf("%.0f", (t - b) / n) : "-"
            printf "%-7s %9.1f %17s %9.0f %9s %7s %7s\n", mode, t / 1e6,
                sprintf("(%.0f-%.0f)", lo / 1e6, hi / 1e6), t / n, ov, xb, xf
        }'
    done
    # shellcheck disable=SC2154 # s_husk is set by eval
    if [ -n "$HUSK_CMD" ] && [ "$s_husk" != fail ] && [ "$m_floor" != fail ]; then
        awk -v h="${s_husk%% *}" -v f="$m_floor" -v n="$N" -v place="$place" 'BEGIN {
            r = sprintf("%.2f", h / f)
            printf "husk/floor ratio: %s (target <= 2.0, %s) [%s]; husk adds %.0f ns per trapped call to the floor'"'"'s\n",
                r, (r + 0 <= 2.0) ? "met" : "above target", place, (h - f) / n
        }'
    fi
done

# --- peak RSS ------------------------------------------------------
# peak_rss COMMAND...: runs COMMAND in the background (not pinned) and
# prints the last VmHWM (KiB) read from /proc/PID/status while it runs.
# $! is the supervisor itself (sh execs a simple background command in
# the forked child), so this is the supervisor's own address space, all
# its threads included; the workload is a separate process (fork, then
# exec) with its own mm, and is not counted. (GNU time's %M would not
# do: wait4's ru_maxrss folds in the children the supervisor reaped,
# i.e. the workload.) VmHWM is a high-water mark, so the last reading is
# the peak up to then; the line vanishes once the process is a zombie.
# A 10 ms poll does not miss the peak: husk allocates nothing at run
# time, so its peak is reached at start-up, long before the last poll.
peak_rss() {
    "$@" >/dev/null &
    pid=$!
    hwm=
    while :; do
        # One read of the status file: VmHWM while the process has an
        # mm, "Z" once it is a zombie, nothing once it is gone.
        v=$(awk '/^State:.*Z/ { print "Z"; exit } /^VmHWM:/ { print $2 }' \
            "/proc/$pid/status" 2>/dev/null) || true
        case $v in
            '' | Z) break ;;
            *) hwm=$v ;;
        esac
        sleep 0.01
    done
    wait "$pid" || echo "bench/ptrace.sh: the peak RSS run failed" >&2
    echo "${hwm:-?}"
}

if [ -n "$HUSK_CMD" ]; then
    echo
    # shellcheck disable=SC2086 # word splitting wanted
    h=$(peak_rss $HUSK_CMD $WORK)
    # shellcheck disable=SC2086
    f=$(peak_rss $FLOOR $WORK)
    awk -v h="$h" -v f="$f" 'BEGIN {
        printf "husk supervisor peak RSS: %s KiB = %.2f MiB (target: < 2 MiB, %s)", h, h / 1024,
            (h != "?" && h < 2048) ? "met" : "above target"
        printf "; floor-ptrace (dynamically linked C): %s KiB\n", f
    }'
fi

exit $FAILED
