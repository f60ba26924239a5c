#!/bin/sh
# Whole-program cost of husk on three ordinary workloads, bare against
# husk's notify transport and husk's ptrace transport, in one run:
#
#   find   find /usr > /dev/null               (stat/open/readdir heavy)
#   tar    tar cf - /usr/share/doc | wc -c     (open + read of many files)
#   exec   sh -c 'i=0; while [ $i -lt 300 ]; do /bin/true; i=$((i+1)); done'
#          (300 fork + exec)
#
# Each is run as `[PREFIX] sh -c WORKLOAD`, REPS times, the modes
# interleaved; the median wall time is reported, with ratios to bare and
# husk-notify / husk-ptrace. (tar's output goes through a pipe on
# purpose: GNU tar writing to /dev/null itself skips reading the files.)
#
# husk runs with a permissive policy that still checks everything: every
# category on (chdir included) and rules allowing every path and every
# address, so each trapped call is resolved and matched, and allowed.
# Before measuring, the script checks that the policy really checks: the
# same policy plus `deny/read+FILE` must make `cat FILE` fail. Runs are
# also checked: each must exit 0, and tar's byte count must equal bare's
# (a denied read would change it).
#
# A husk that does not know `trace/transport` (before notify mode) makes
# the husk-notify column "n/a" ("notify: n/a"), and husk-ptrace is
# measured with plain `$HUSK $POLICY --`, which is then ptrace.
#
# Placements (PLACES, both by default): `one`, everything on CPU 0
# (taskset -c 0: no cross-CPU wake-ups, the steadiest numbers), and
# `any`, no pinning (what a user gets; on a VM whose idle vCPUs wake
# slowly, every hand-off between the sandboxed process and husk can cost
# a slow wake-up, and the figures say more about the VM than about husk).
# Each workload is run once bare, untimed, first (a warm page cache).
#
# Environment: REPS (3), HUSK (target/release/husk), POLICY (the
# options before `--`), PLACES ("one any"), DOC (/usr/share/doc),
# FINDDIR (/usr), LOOPS (300).
# Exit status 1 if a timed run failed, else 0.
set -euf # no globbing: POLICY holds patterns like /***
cd "$(dirname "$0")/.."
. bench/lib.sh

REPS=${REPS:-3}
HUSK=${HUSK:-target/release/husk}
POLICY=${POLICY:--m sandbox/all:on -m allow/all+/*** -m allow/net+any -m allow/net+/*** -m allow/net+@** -m allow/net+!unnamed}
PLACES=${PLACES:-one any}
DOC=${DOC:-/usr/share/doc}
FINDDIR=${FINDDIR:-/usr}
LOOPS=${LOOPS:-300}
OUT=bench/out
mkdir -p "$OUT"

W_find="find $FINDDIR > /dev/null"
W_tar="tar cf - $DOC | wc -c"
# shellcheck disable=SC2016 # expanded by the inner sh
W_exec='i=0; while [ $i -lt '"$LOOPS"' ]; do /bin/true; i=$((i+1)); done'
WORKLOADS="find tar exec"

places=
for p in $PLACES; do
    case $p in
        any) ;;
        one)
            if ! command -v taskset >/dev/null 2>&1 || ! taskset -c 0 /bin/true 2>/dev/null; then
                echo "note: cannot pin to CPU 0 (taskset missing?): placement 'one' skipped"
                continue
            fi
            ;;
        split)
            # PLACES is shared with bench/ptrace.sh and bench/notify.sh
            # under bench/run; a whole program has no single "workload
            # CPU" to split off.
            echo "note: placement 'split' does not apply to whole programs: skipped"
            continue
            ;;
        *)
            echo "bench/macro.sh: unknown placement '$p' (one, any)" >&2
            exit 2
            ;;
    esac
    places="$places $p"
done

# --- what to measure -----------------------------------------------
# husk_with TRANSPORT: sets HCMD to the husk command line (up to `--`)
# for that transport, or empty if husk cannot run /bin/true with it.
husk_with() {
    HCMD="$HUSK${POLICY:+ $POLICY}${1:+ -m trace/transport:$1} --"
    # shellcheck disable=SC2086 # a list of words
    [ -x "$HUSK" ] && $HCMD /bin/true >/dev/null 2>&1 || HCMD=
}
husk_with notify
HUSK_NOTIFY=$HCMD
husk_with ptrace
HUSK_PTRACE=$HCMD
# Before trace/transport existed, husk was ptrace only.
[ -n "$HUSK_PTRACE" ] || husk_with ""
HUSK_PTRACE=${HUSK_PTRACE:-$HCMD}

MODES=bare
[ -z "$HUSK_NOTIFY" ] || MODES="$MODES husk-notify"
[ -z "$HUSK_PTRACE" ] || MODES="$MODES husk-ptrace"

prefix() {
    case $1 in
        bare) echo "" ;;
        husk-notify) echo "$HUSK_NOTIFY" ;;
        husk-ptrace) echo "$HUSK_PTRACE" ;;
    esac
}

echo "macro: REPS=$REPS, median wall time, placements:$places"
echo "machine: $(nproc) CPUs, $(uname -sr), $(date -u +%Y-%m-%d)"
if [ -n "$HUSK_NOTIFY" ]; then
    echo "husk-notify: $HUSK_NOTIFY"
else
    echo "notify: n/a (\`$HUSK${POLICY:+ $POLICY} -m trace/transport:notify -- /bin/true\` fails)"
fi
echo "husk-ptrace: ${HUSK_PTRACE:-n/a (husk cannot run /bin/true)}"

# The policy must really check: one more rule denying a file must bite.
for mode in $MODES; do
    [ "$mode" != bare ] || continue
    # shellcheck disable=SC2086
    if $(prefix "$mode" | sed 's/ --$//') -m "deny/read+/etc/hostname" -- cat /etc/hostname \
        >/dev/null 2>&1; then
        echo "note: $mode: adding deny/read+/etc/hostname does not deny it: the policy is not checking"
    else
        echo "$mode: checks (adding deny/read+/etc/hostname denies it)"
    fi
done

# --- timing --------------------------------------------------------
FAILED=0
# run PLACE MODE WORKLOAD: the wall time of one run in ns ("fail" if it
# did not exit 0); its stdout is left in $OUT/macro.out.
run() {
    pin=
    [ "$1" != one ] || pin="taskset -c 0"
    shift
    # (Not `w`: the callers loop over workloads with it.)
    eval "script=\$W_$2"
    start=$(date +%s%N)
    # shellcheck disable=SC2086,SC2154 # word splitting wanted; script via eval
    if $pin $(prefix "$1") sh -c "$script" >"$OUT/macro.out" 2>"$OUT/macro.err"; then
        end=$(date +%s%N)
        # A denied read would change tar's byte count: not a valid run.
        b=$(tr -d ' \n' <"$OUT/macro.out")
        if [ "$2" = tar ] && [ -n "$tar_bytes" ] && [ "$b" != "$tar_bytes" ]; then
            echo "bench/macro.sh: $1: tar wrote $b bytes, bare $tar_bytes" >&2
            echo fail
            return
        fi
        echo $((end - start))
    else
        echo "bench/macro.sh: $1: sh -c '$script' failed:" >&2
        tail -3 "$OUT/macro.err" >&2
        echo fail
    fi
}

tar_bytes=
for w in $WORKLOADS; do
    run any bare "$w" >/dev/null # warm-up
    # The bare byte count every tar run must match.
    [ "$w" != tar ] || tar_bytes=$(tr -d ' \n' <"$OUT/macro.out")
done
for place in $places; do
    for w in $WORKLOADS; do
        time_modes "$place" "$w"
        eval "desc=\$W_$w"
        echo
        # shellcheck disable=SC2154 # desc via eval
        echo "-- $w [$place]: $desc"
        printf '%-12s %9s %17s %7s\n' mode "s" "(min-max)" "x bare"
        for mode in bare husk-notify husk-ptrace; do
            case " $MODES " in
                *" $mode "*) ;;
                *)
                    printf '%-12s %9s\n' "$mode" n/a
                    continue
                    ;;
            esac
            v=$(echo "$mode" | tr - _)
            eval "s=\$s_$v"
            if [ "$s" = fail ]; then
                printf '%-12s %9s\n' "$mode" failed
                FAILED=1
                continue
            fi
            # shellcheck disable=SC2086 # median min max
            set -- $s
            awk -v mode="$mode" -v t="$1" -v lo="$2" -v hi="$3" -v b="$m_bare" 'BEGIN {
                xb = (b != "fail" && b > 0) ? sprintf("%.2f", t / b) : "-"
                printf "%-12s %9.3f %17s %7s\n", mode, t / 1e9,
                    sprintf("(%.3f-%.3f)", lo / 1e9, hi / 1e9), xb
            }'
        done
        if [ -z "$HUSK_NOTIFY" ]; then
            echo "notify: n/a [$w, $place]"
        elif [ -n "$HUSK_PTRACE" ]; then
            # shellcheck disable=SC2154 # set by eval
            hn=${s_husk_notify%% *} hp=${s_husk_ptrace%% *}
            if [ "$hn" = fail ] || [ "$hp" = fail ]; then
                echo "husk-notify / husk-ptrace [$w, $place]: - (a run failed)"
            else
                awk -v a="$hn" -v b="$hp" -v w="$w" -v place="$place" -v bare="$m_bare" 'BEGIN {
                    add = (bare != "fail" && b - bare > 0) ? sprintf("%.2f", (a - bare) / (b - bare)) : "-"
                    printf "husk-notify / husk-ptrace [%s, %s]: %.2f; of the time added to bare: %s\n", w, place, a / b, add
                }'
            fi
        fi
    done
done
[ -z "$tar_bytes" ] || echo "(tar: $tar_bytes bytes in every run)"

exit $FAILED
