#!/bin/sh
# Where calls must still be trapped: husk's added time on `find /usr`
# against a do-nothing supervisor that traps the same calls (issue 13:
# husk's added time <= 1.3x the floor's).
#
# The floor is bench/out/notify-floor -f: it installs husk's own sandbox
# filter, exported with `$HUSK $POLICY -m trace/transport:notify -E bpf`,
# its RET_TRACE returns (the few calls husk's notify transport hands to
# its ptrace tracer) turned into RET_USER_NOTIF, and answers every
# notification with "continue": the same calls stop, in the same
# numbers, and nothing is decided, read or emulated. What husk adds on
# top of that is the cost of checking the calls, which is what the
# target bounds.
#
# For information, a second floor: notify-floor -e -f (floor-emu) traps
# the same calls but emulates, with no policy and the cheapest correct
# way each, the three that make up nearly all of find's notifications
# (newfstatat, openat, getdents64; the rest continue), as a supervisor
# must that may not let the caller's memory decide after the check (no
# SECCOMP_USER_NOTIF_FLAG_CONTINUE for path calls): read the path
# (process_vm_readv), make the call itself from the caller's point of
# view (a pidfd_getfd copy of the directory descriptor, or the caller's
# /proc/PID/cwd), NOTIF_ID_VALID, then write the result back
# (process_vm_writev) or install the descriptor (NOTIF_ADDFD with
# ADDFD_FLAG_SEND). See bench/notify-floor.c's header. husk's added time
# over floor-emu's is the cost of its decisions (and of its own way of
# emulating) over the least an emulating supervisor adds.
#
# The policy (POLICY) is issue 13's: `-p user -m allow/all+CWD/***`,
# CWD being the repository root (the scripts run from there). Landlock
# decides nothing under it (`husk -E landlock`: "stat hides paths"), so
# every call husk checks goes through the trap.
#
# Modes, interleaved, REPS times, everything on CPU 0 (taskset -c 0:
# this VM's idle vCPUs wake slowly, and unpinned figures swing; without
# taskset the runs are not pinned, with a note):
#
#   bare        find FINDDIR > /dev/null
#   floor       notify-floor -f FILTER find ...
#   floor-emu   notify-floor -e -f FILTER find ... (emulates newfstatat,
#               openat, getdents64; skipped if notify-floor -e fails
#               on this kernel)
#   floor-sync  notify-floor -s -f FILTER find ... (sync wake-ups, Linux
#               6.6; skipped if the kernel refuses them)
#   husk        $HUSK $POLICY -m trace/transport:notify -- find ...
#
# One untimed bare run first warms the page cache; `find FINDDIR |
# cksum` must be the same bare, under husk and under every floor, or the
# script stops (exit 1). Reported: medians (min-max) in ms, ratio to
# bare, time added to bare, and husk's added time over each floor's.
# An untimed run under the floor with NOTIFY_FLOOR_COUNT=1 counts the
# notifications of one run, per call; one under floor-emu counts those
# it answered by emulation instead of continuing them, per call.
#
# CLOCK=cpu times CPU (user + system) instead of wall time (bench/lib.sh;
# GNU time needed).
#
# Environment: REPS (5), HUSK (target/release/husk, built with cargo if
# missing), POLICY (the options before `--`), FINDDIR (/usr), CC (cc).
# Exit status 1 if a timed run failed (or the outputs differ), 2 if it
# cannot measure, else 0.
set -euf # no globbing: POLICY holds patterns like /***
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh disable=SC1091 # followed with -x
. bench/lib.sh

REPS=${REPS:-5}
HUSK=${HUSK:-target/release/husk}
ROOT=$(pwd)
POLICY=${POLICY:--p user -m allow/all+$ROOT/***}
FINDDIR=${FINDDIR:-/usr}
CC=${CC:-cc}
OUT=bench/out
NFLOOR=$OUT/notify-floor
BPF=$OUT/trapped.bpf
mkdir -p "$OUT"

# --- build ---------------------------------------------------------
"$CC" -O2 -o "$NFLOOR" bench/notify-floor.c
if [ ! -x "$HUSK" ] && [ "$HUSK" = target/release/husk ]; then
    cargo build --release
fi
if [ ! -x "$HUSK" ]; then
    echo "bench/trapped.sh: $HUSK: no such executable" >&2
    exit 2
fi
FIND=$(command -v find) || {
    echo "bench/trapped.sh: find is needed" >&2
    exit 2
}

# --- husk's filter -------------------------------------------------
# shellcheck disable=SC2086 # the policy is words
if ! $HUSK $POLICY -m trace/transport:notify -E bpf >"$BPF"; then
    echo "bench/trapped.sh: \`$HUSK $POLICY -m trace/transport:notify -E bpf\` failed" >&2
    exit 2
fi
# shellcheck disable=SC2086
ntrace=$($HUSK $POLICY -m trace/transport:notify -E pfc |
    awk '/^# husk / && n++ { exit } /return TRACE/ { t++ } END { print t + 0 }')

# --- what to measure -----------------------------------------------
MODES="bare floor"
if $NFLOOR -e -f "$BPF" /bin/true 2>/dev/null; then
    MODES="$MODES floor-emu"
else
    echo "note: notify-floor -e -f fails (no NOTIF_ADDFD with ADDFD_FLAG_SEND, Linux 5.14, or no pidfd_getfd?): floor-emu skipped"
fi
if $NFLOOR -s -f "$BPF" /bin/true 2>/dev/null; then
    MODES="$MODES floor-sync"
else
    echo "note: notify-floor -s fails (the kernel refuses SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP, Linux 6.6+?): floor-sync skipped"
fi
MODES="$MODES husk"

prefix() { # what goes in front of the workload for mode $1
    case $1 in
        bare) echo "" ;;
        floor) echo "$NFLOOR -f $BPF" ;;
        floor-emu) echo "$NFLOOR -e -f $BPF" ;;
        floor-sync) echo "$NFLOOR -s -f $BPF" ;;
        husk) echo "$HUSK $POLICY -m trace/transport:notify --" ;;
    esac
}
WORK="$FIND $FINDDIR"

check_places one
place=one
if [ -z "$places" ]; then
    echo "note: the runs are not pinned; figures on a VM with slow-waking idle vCPUs swing"
    place=any
fi

echo "trapped: $WORK > /dev/null, REPS=$REPS, median ${CLOCK:-wall} time, placement: $place"
echo "machine: $(nproc) CPUs, $(uname -sr), $(date -u '+%Y-%m-%d %H:%M UTC'); load average: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
echo "husk: $(prefix husk)"
echo "filter: $BPF, $(($(wc -c <"$BPF") / 8)) instructions, $ntrace TRACE return(s) made USER_NOTIF for the floors"

# --- same output everywhere ----------------------------------------
# (also the untimed warm-up run)
want=$($WORK | cksum)
for mode in $MODES; do
    [ "$mode" != bare ] || continue
    # shellcheck disable=SC2046,SC2086 # the prefix and the work are words
    got=$($(prefix "$mode") $WORK | cksum) || got="failed ($?)"
    if [ "$got" != "$want" ]; then
        echo "bench/trapped.sh: $mode: find's output differs (cksum $got, bare $want)" >&2
        exit 1
    fi
done
echo "find's output: the same bare and under every supervisor (cksum $want)"

# --- what is trapped -------------------------------------------------
# One untimed run under the floor counts the notifications, per call
# number, and one under floor-emu those it emulated (not continued); the
# names come from the C library's <sys/syscall.h>.
names=$(printf '#include <sys/syscall.h>\n' | "$CC" -dM -E - 2>/dev/null |
    awk '$1 == "#define" && $2 ~ /^__NR_/ && $3 ~ /^[0-9]+$/ { print $3, substr($2, 6) }') || names=
# counted FILE: notify-floor's count lines in FILE, calls named: "trapped
# per run: N; CALL N, ...", and for an -e run "floor-emu emulated per
# run: M of N; CALL M, ...".
counted() {
    awk -v names="$names" '
        BEGIN { n = split(names, w, /[ \n]/); for (i = 1; i < n; i += 2) nm[w[i]] = w[i + 1] }
        /^notify-floor: [0-9]+ (notifications|emulated)/ {
            if ($3 == "notifications") {
                all = $2
                line = sprintf("trapped per run: %s", $2)
            } else
                line = sprintf("floor-emu emulated per run: %s of %s", $2, all)
            for (i = 4; i <= NF; i++) {
                split($i, p, ":")
                line = line sprintf("%s %s %s", i == 4 ? ";" : ",", (p[1] in nm) ? nm[p[1]] : p[1], p[2])
            }
            print line
        }' "$1"
}
# shellcheck disable=SC2086 # the work is words
if NOTIFY_FLOOR_COUNT=1 $NFLOOR -f "$BPF" $WORK >/dev/null 2>"$OUT/trapped.count"; then
    counted "$OUT/trapped.count"
else
    echo "note: the counting run failed: no count of trapped calls"
fi
case " $MODES " in
    *" floor-emu "*)
        # shellcheck disable=SC2086 # the work is words
        if NOTIFY_FLOOR_COUNT=1 $NFLOOR -e -f "$BPF" $WORK >/dev/null 2>"$OUT/trapped-emu.count"; then
            counted "$OUT/trapped-emu.count" | grep '^floor-emu'
        else
            echo "note: the counting run under floor-emu failed: no count of emulated calls"
        fi
        ;;
esac

# --- timing --------------------------------------------------------
FAILED=0
time_modes "$place"

echo
echo "load average after the runs: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
printf '%-11s %9s %15s %7s %10s\n' mode ms "(min-max)" "x bare" "added ms"
for mode in bare floor floor-emu floor-sync husk; do
    case " $MODES " in
        *" $mode "*) ;;
        *)
            printf '%-11s %9s\n' "$mode" n/a
            continue
            ;;
    esac
    v=$(echo "$mode" | tr - _)
    s=
    eval "s=\$s_$v"
    if [ "$s" = fail ]; then
        printf '%-11s %9s\n' "$mode" failed
        FAILED=1
        continue
    fi
    # shellcheck disable=SC2086 # median min max
    set -- $s
    # shellcheck disable=SC2154 # m_bare: set by time_modes (bench/lib.sh)
    awk -v t="$1" -v lo="$2" -v hi="$3" -v b="$m_bare" -v mode="$mode" 'BEGIN {
        xb = (b != "fail" && b > 0) ? sprintf("%.2f", t / b) : "-"
        add = (b != "fail" && mode != "bare") ? sprintf("%.1f", (t - b) / 1e6) : "-"
        printf "%-11s %9.1f %15s %7s %10s\n", mode, t / 1e6,
            sprintf("(%.0f-%.0f)", lo / 1e6, hi / 1e6), xb, add
    }'
done

# added NAME A FLOOR [TARGET [NOTE]]: "NAME: (A-bare)/(FLOOR-bare)",
# with the target met or missed if TARGET is given, else "for
# information" (: NOTE).
added() {
    if [ "$m_bare" = fail ] || [ "$2" = fail ] || [ "$3" = fail ]; then
        echo "$1: - (a run failed)"
        return
    fi
    awk -v name="$1" -v a="$2" -v f="$3" -v b="$m_bare" -v tg="${4:-}" -v note="${5:+: $5}" 'BEGIN {
        if (f - b <= 0) { printf "%s: - (the floor adds nothing measurable)\n", name; exit }
        r = sprintf("%.2f", (a - b) / (f - b))
        t = (tg == "") ? sprintf(" (for information%s)", note) : sprintf(" (target <= %s, %s)", tg, (r + 0 <= tg) ? "met" : "above target")
        printf "%s: %s%s\n", name, r, t
    }'
}
# shellcheck disable=SC2154 # set by eval
m_husk=${s_husk%% *} m_floor=${s_floor%% *}
added "husk added / floor added" "$m_husk" "$m_floor" 1.3
case " $MODES " in
    *" floor-emu "*)
        # shellcheck disable=SC2154
        m_emu=${s_floor_emu%% *}
        added "husk added / floor-emu added" "$m_husk" "$m_emu" "" \
            "the least an emulating supervisor adds"
        ;;
esac
case " $MODES " in
    *" floor-sync "*)
        # shellcheck disable=SC2154
        m_sync=${s_floor_sync%% *}
        added "husk added / floor-sync added" "$m_husk" "$m_sync"
        ;;
esac

exit $FAILED
