#!/bin/sh
# Per-call cost of husk's seccomp user-notification transport ("notify
# mode"), against its floor and against husk's ptrace transport.
#
# The workload (bench/open-close.c, as in bench/ptrace.sh) does N x
# (openat + close) of an allowed file; every supervisor here traps the
# openat and lets close run. We time, in one run, interleaved:
#
#   bare          the workload alone
#   floor         under bench/out/notify-floor: the least a seccomp
#                 user-notification supervisor can do (poll, NOTIF_RECV,
#                 NOTIF_SEND with FLAG_CONTINUE; one thread, no decision)
#   husk-notify   `$HUSK $HUSK_OPTS -m trace/transport:notify --`
#   husk-ptrace   `$HUSK $HUSK_OPTS -m trace/transport:ptrace --`
#
# and, for scale (VARIANTS; all by default):
#
#   floor-emul    `notify-floor -e`: emulates the openat instead of
#                 continuing it (reads the path, NOTIF_ID_VALID, openat
#                 in the supervisor, NOTIF_ADDFD with ADDFD_FLAG_SEND,
#                 close), as husk's notify mode does, minus the policy
#   floor-sync    `notify-floor -s`: the floor with
#                 SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (Linux 6.6; skipped
#                 if the kernel refuses it)
#   floor-ptrace  bench/out/floor-ptrace, bench/ptrace.sh's floor
#
# each REPS times, and report medians, ns per iteration and ratios. The
# targets: husk-notify within 1.15x of floor-emul (the floor that
# performs the open, as husk must), faster than husk-ptrace, and (the
# original goal) within 1.3x of floor. HUSK_OPTS checks every openat for
# real (the read category on, a rule allowing the file), as in
# bench/ptrace.sh.
#
# KINDS (default "open stat statat fstat") picks the trapped call; every
# kind but open uses bench/stat-loop.c, N x one newfstatat of FILE:
#
#   open     open-close, as above
#   stat     newfstatat(AT_FDCWD, FILE, &st, 0): a path stat
#   statat   newfstatat(dirfd, NAME, &st, AT_SYMLINK_NOFOLLOW), FILE's
#            directory and last component: how find and tar stat
#   fstat    newfstatat(fd, "", &st, AT_EMPTY_PATH): glibc 2.36's fstat
#
# For those the floors trap newfstatat alone (`notify-floor -t stat`),
# floor-emul performs the stat itself and writes the result back (read
# the path, fstatat through a pidfd_getfd copy of the caller's
# descriptor for one relative to a descriptor or empty, through its
# /proc/PID/cwd magic link for one relative to its working directory,
# NOTIF_ID_VALID, process_vm_writev,
# NOTIF_SEND), and husk runs with HUSK_STAT_OPTS (the stat category on,
# every path allowed). Target: husk-notify within 1.3x of floor-emul.
#
# A husk that does not know `trace/transport` (before notify mode) makes
# the husk-notify row "n/a" ("notify: n/a") and husk-ptrace is measured
# with plain `$HUSK $HUSK_OPTS --`, which is then ptrace.
#
# Placements (PLACES), as in bench/ptrace.sh: `one` (default; everything
# on CPU 0 with taskset: the CPU work per call, no cross-CPU wake-ups),
# `split` (supervisor on CPU 0, workload on CPU 1) and `any` (no
# pinning). split and any are slow and noisy on VMs whose idle vCPUs
# wake slowly (try N=20000 there).
#
# HUSK_OLD=PATH adds a row `old-notify`: that husk binary in notify mode
# with the same options, interleaved with the rest (before/after a
# change, measured side by side in one run).
#
# CLOCK=cpu times CPU (user + system) instead of wall time (bench/lib.sh;
# GNU time needed): steadier on a machine shared with other work.
#
# Environment: N (100000), REPS (5), PLACES ("one"), KINDS ("open stat
# statat fstat"), VARIANTS ("floor-emul floor-sync floor-ptrace"), HUSK
# (target/release/husk), HUSK_OLD, HUSK_OPTS, HUSK_STAT_OPTS, CC (cc),
# FILE (/etc/passwd).
# Exit status 1 if a timed run failed, else 0.
set -euf # no globbing: HUSK_OPTS holds patterns like /***
cd "$(dirname "$0")/.."
. bench/lib.sh

N=${N:-100000}
REPS=${REPS:-5}
PLACES=${PLACES:-one}
VARIANTS=${VARIANTS-floor-emul floor-sync floor-ptrace}
HUSK=${HUSK:-target/release/husk}
HUSK_OPTS=${HUSK_OPTS:--m sandbox/all:off -m sandbox/read:on -m allow/read+/***}
HUSK_STAT_OPTS=${HUSK_STAT_OPTS:--m sandbox/all:off -m sandbox/stat:on -m allow/stat+/***}
KINDS=${KINDS:-open stat statat fstat}
CC=${CC:-cc}
FILE=${FILE:-/etc/passwd}
OUT=bench/out

# --- build ---------------------------------------------------------
mkdir -p "$OUT"
if ! "$CC" -O2 -static -o "$OUT/open-close" bench/open-close.c 2>/dev/null; then
    "$CC" -O2 -o "$OUT/open-close" bench/open-close.c
fi
if ! "$CC" -O2 -static -o "$OUT/stat-loop" bench/stat-loop.c 2>/dev/null; then
    "$CC" -O2 -o "$OUT/stat-loop" bench/stat-loop.c
fi
"$CC" -O2 -o "$OUT/notify-floor" bench/notify-floor.c
"$CC" -O2 -o "$OUT/floor-ptrace" bench/floor-ptrace.c
NFLOOR="$OUT/notify-floor"
PFLOOR="$OUT/floor-ptrace"
for k in $KINDS; do
    case $k in
        open | stat | statat | fstat) ;;
        *)
            echo "bench/notify.sh: unknown kind '$k' (open, stat, statat, fstat)" >&2
            exit 2
            ;;
    esac
done

# Each floor must be a correct supervisor, or the comparison is void.
for f in "$NFLOOR" "$NFLOOR -e" "$NFLOOR -t stat -e" "$PFLOOR"; do
    set +e
    $f sh -c 'exit 7'
    s1=$?
    $f sh -c 'kill -9 $$'
    s2=$?
    set -e
    if [ "$s1" -ne 7 ] || [ "$s2" -ne 137 ]; then
        echo "$f does not pass exit statuses through ($s1, $s2)" >&2
        exit 1
    fi
done
echo "the floors pass exit statuses through (exit 7; a command killed on purpose with SIGKILL: 137): ok"

# --- what to measure -----------------------------------------------
# husk_with TRANSPORT OPTS: sets HCMD to the husk command line (up to
# `--`) for that transport, or empty if husk cannot run /bin/true with it.
husk_with() {
    HCMD="$HUSK${2:+ $2} -m trace/transport:$1 --"
    # shellcheck disable=SC2086 # a list of words
    [ -x "$HUSK" ] && $HCMD /bin/true >/dev/null 2>&1 || HCMD=
}
# husk_for OPTS: sets HUSK_NOTIFY and HUSK_PTRACE for these options.
husk_for() {
    HUSK_OLD_NOTIFY=
    if [ -n "${HUSK_OLD:-}" ]; then
        HUSK_OLD_NOTIFY="$HUSK_OLD${1:+ $1} -m trace/transport:notify --"
        # shellcheck disable=SC2086
        $HUSK_OLD_NOTIFY /bin/true >/dev/null 2>&1 || HUSK_OLD_NOTIFY=
    fi
    husk_with notify "$1"
    HUSK_NOTIFY=$HCMD
    husk_with ptrace "$1"
    HUSK_PTRACE=$HCMD
    if [ -z "$HUSK_PTRACE" ]; then
        # Before trace/transport existed, husk was ptrace only.
        HUSK_PTRACE="$HUSK${1:+ $1} --"
        # shellcheck disable=SC2086
        [ -x "$HUSK" ] && $HUSK_PTRACE /bin/true >/dev/null 2>&1 || HUSK_PTRACE=
    fi
}

FLOORS="bare floor"
for v in $VARIANTS; do
    case $v in
        floor-emul | floor-ptrace) ;;
        floor-sync)
            if ! "$NFLOOR" -s /bin/true 2>/dev/null; then
                echo "note: the kernel refuses SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (Linux 6.6+): floor-sync skipped"
                continue
            fi
            ;;
        *)
            echo "bench/notify.sh: unknown variant '$v' (floor-emul, floor-sync, floor-ptrace)" >&2
            exit 2
            ;;
    esac
    FLOORS="$FLOORS $v"
done

check_places "$PLACES"

prefix() { # what goes in front of the workload for mode $1 (kind $kind)
    case $1 in
        bare) echo "" ;;
        floor) echo "$NFLOOR $TRAP" ;;
        floor-emul) echo "$NFLOOR $TRAP -e" ;;
        floor-sync) echo "$NFLOOR $TRAP -s" ;;
        floor-ptrace) echo "$PFLOOR" ;;
        husk-notify) echo "$HUSK_NOTIFY" ;;
        old-notify) echo "$HUSK_OLD_NOTIFY" ;;
        husk-ptrace) echo "$HUSK_PTRACE" ;;
    esac
}

# --- timing --------------------------------------------------------
FAILED=0
# run PLACE MODE and stats SAMPLES: bench/lib.sh.

# ratio NAME A B TARGET_OP TARGET: prints "NAME: A/B" (and of the cost
# added to bare: (A-bare)/(B-bare)) with the target met or missed.
ratio() {
    if [ "$2" = fail ] || [ "$3" = fail ]; then
        echo "$1: - (a run failed)"
        return
    fi
    awk -v name="$1" -v a="$2" -v b="$3" -v op="$4" -v tg="$5" -v bare="$m_bare" 'BEGIN {
        r = sprintf("%.2f", a / b)
        add = (bare != "fail" && b - bare > 0) ? sprintf("%.2f", (a - bare) / (b - bare)) : "-"
        t = ""
        if (op != "") {
            ok = (op == "<=") ? (r + 0 <= tg) : (r + 0 < tg)
            t = sprintf(" (target %s %s, %s)", op, tg, ok ? "met" : "above target")
        }
        printf "%s: %s%s; of the cost added to bare: %s\n", name, r, t, add
    }'
}

echo "machine: $(nproc) CPUs, $(uname -sr), $(date -u +%Y-%m-%d); N=$N, REPS=$REPS, median ${CLOCK:-wall} time; load average: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"

for kind in $KINDS; do
case $kind in
    open)
        WORK="$OUT/open-close $N $FILE"
        TRAP=
        husk_for "$HUSK_OPTS"
        EMUL_TARGET=1.15
        echo
        echo "== open: N x (openat + close) of $FILE"
        ;;
    *)
        WORK="$OUT/stat-loop $kind $N $FILE"
        TRAP="-t stat"
        husk_for "$HUSK_STAT_OPTS"
        EMUL_TARGET=1.3
        echo
        echo "== $kind: N x newfstatat of $FILE ($WORK)"
        ;;
esac
# The modes of this kind: floor-ptrace traps opens only.
MODES=
for m in $FLOORS; do
    [ "$m" = floor-ptrace ] && [ "$kind" != open ] && continue
    MODES="$MODES $m"
done
[ -z "$HUSK_NOTIFY" ] || MODES="$MODES husk-notify"
[ -z "$HUSK_OLD_NOTIFY" ] || MODES="$MODES old-notify"
[ -z "$HUSK_PTRACE" ] || MODES="$MODES husk-ptrace"
[ -z "$HUSK_OLD_NOTIFY" ] || echo "old-notify: $HUSK_OLD_NOTIFY"
if [ -n "$HUSK_NOTIFY" ]; then
    echo "husk-notify: $HUSK_NOTIFY"
else
    echo "notify: n/a (husk cannot run /bin/true in notify mode with these options)"
fi
echo "husk-ptrace: ${HUSK_PTRACE:-n/a (husk cannot run /bin/true)}"

for place in $places; do
    time_modes "$place"

    echo
    case $place in
        one) echo "-- one CPU: everything on CPU 0" ;;
        split) echo "-- split: supervisor on CPU 0, workload on CPU 1" ;;
        any) echo "-- any CPU: the scheduler's choice" ;;
    esac
    printf '%-13s %9s %17s %9s %9s %7s\n' mode "ms" "(min-max)" "ns/iter" "+ns/call" "x bare"
    for mode in bare floor $VARIANTS husk-notify old-notify husk-ptrace; do
        case " $MODES " in
            *" $mode "*) ;;
            *)
                [ "$mode" = floor-ptrace ] && [ "$kind" != open ] && continue
                [ "$mode" = old-notify ] && continue
                printf '%-13s %9s\n' "$mode" n/a
                continue
                ;;
        esac
        v=$(echo "$mode" | tr - _)
        eval "s=\$s_$v"
        if [ "$s" = fail ]; then
            printf '%-13s %9s\n' "$mode" failed
            FAILED=1
            continue
        fi
        # shellcheck disable=SC2086 # median min max
        set -- $s
        awk -v mode="$mode" -v t="$1" -v lo="$2" -v hi="$3" -v b="$m_bare" -v n="$N" 'BEGIN {
            xb = (b != "fail" && b > 0) ? sprintf("%.2f", t / b) : "-"
            ov = (b != "fail") ? sprintf("%.0f", (t - b) / n) : "-"
            printf "%-13s %9.1f %17s %9.0f %9s %7s\n", mode, t / 1e6,
                sprintf("(%.0f-%.0f)", lo / 1e6, hi / 1e6), t / n, ov, xb
        }'
    done
    # median of mode $1, empty if not measured
    med() {
        case " $MODES " in *" $1 "*) ;; *) return ;; esac
        eval "echo \"\${s_$(echo "$1" | tr - _)%% *}\""
    }
    m_floor=$(med floor)
    m_hp=$(med husk-ptrace)
    m_hn=$(med husk-notify)
    if [ -n "$m_hn" ]; then
        m=$(med floor-emul)
        [ -z "$m" ] || ratio "husk-notify / floor-emul [$kind, $place]" "$m_hn" "$m" "<=" "$EMUL_TARGET"
        ratio "husk-notify / floor [$kind, $place]" "$m_hn" "$m_floor" "<=" 1.3
        [ -z "$m_hp" ] || ratio "husk-notify / husk-ptrace [$kind, $place]" "$m_hn" "$m_hp" "<" 1
        m=$(med old-notify)
        [ -z "$m" ] || ratio "husk-notify / old-notify [$kind, $place]" "$m_hn" "$m" "" ""
        m2=$(med floor-emul)
        [ -z "$m" ] || [ -z "$m2" ] || ratio "old-notify / floor-emul [$kind, $place]" "$m" "$m2" "" ""
    else
        echo "notify: n/a [$kind, $place]: husk-notify / floor and husk-notify / husk-ptrace not measured"
    fi
    m=$(med floor-ptrace)
    if [ -n "$m" ]; then
        [ -z "$m_hp" ] || ratio "husk-ptrace / floor-ptrace [$kind, $place]" "$m_hp" "$m" "" ""
        ratio "floor / floor-ptrace [$kind, $place]" "$m_floor" "$m" "" ""
    fi
    m=$(med floor-emul)
    [ -z "$m" ] || ratio "floor-emul / floor [$kind, $place]" "$m" "$m_floor" "" ""
    m=$(med floor-sync)
    [ -z "$m" ] || ratio "floor-sync / floor [$kind, $place]" "$m" "$m_floor" "" ""
done
done

exit $FAILED
