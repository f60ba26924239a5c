# shellcheck shell=sh
# Shell helpers shared by the bench scripts (sourced, not run).

# stats "T1 T2 ...": "median min max" of the samples; "fail" if any failed.
stats() {
    case " $1 " in *" fail "*)
        echo fail
        return
        ;;
    esac
    # shellcheck disable=SC2086 # one sample per word
    printf '%s\n' $1 | sort -n | awk '{ v[NR] = $1 }
        END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
              printf "%.0f %s %s\n", m, v[1], v[NR] }'
}

# run PLACE MODE: the wall time in ns of one run of $WORK under
# `prefix MODE` (the caller's), placed by PLACE (one: all on CPU 0;
# split: the supervisor on CPU 0, the workload on CPU 1; any: free);
# "fail" if the workload did not exit 0, which would make the time
# meaningless. With CLOCK=cpu, the CPU time instead (user + system, of
# the supervisor and everything it waited for, in 10 ms ticks: GNU
# time's %U and %S): on a machine shared with other work, time spent
# waiting for a CPU does not count.
run() {
    outer=
    inner=
    case $1 in
        one) outer="taskset -c 0" ;;
        split) outer="taskset -c 0" inner="taskset -c 1" ;;
    esac
    cmd="$outer $(prefix "$2") $inner $WORK"
    if [ "${CLOCK:-wall}" = cpu ]; then
        tfile=${TMPDIR:-/tmp}/husk-bench-time.$$
        # shellcheck disable=SC2086 # word splitting wanted
        if /usr/bin/time -f '%U %S' -o "$tfile" $cmd >/dev/null; then
            awk '{ printf "%.0f\n", ($1 + $2) * 1e9 }' "$tfile"
            rm -f "$tfile"
        else
            rm -f "$tfile"
            echo "${0##*/}: '$cmd' failed" >&2
            echo fail
        fi
        return
    fi
    start=$(date +%s%N)
    # shellcheck disable=SC2086 # word splitting wanted
    if $cmd >/dev/null; then
        end=$(date +%s%N)
        echo $((end - start))
    else
        echo "${0##*/}: '$cmd' failed" >&2
        echo fail
    fi
}

# time_modes PLACE [ARG]: every mode of $MODES run (`run PLACE MODE
# [ARG]`) in PLACE, interleaved (so
# drift in the machine hits all alike), $REPS times; sets s_MODE (dashes
# as underscores) to its "median min max" (stats) and m_bare to bare's
# median.
time_modes() {
    for mode in $MODES; do eval "t_$(echo "$mode" | tr - _)=''"; done
    r=0
    while [ $r -lt "$REPS" ]; do
        for mode in $MODES; do
            v=$(echo "$mode" | tr - _)
            t=$(run "$1" "$mode" ${2+"$2"})
            eval "t_$v=\"\$t_$v $t\""
        done
        r=$((r + 1))
    done
    for mode in $MODES; do
        v=$(echo "$mode" | tr - _)
        eval "s_$v=\$(stats \"\$t_$v\")"
    done
    # shellcheck disable=SC2154,SC2034 # s_bare set by eval; m_bare read by the caller
    m_bare=${s_bare%% *}
}

# check_places LIST: sets $places to the placements of LIST (one,
# split, any) this machine can do, saying which it skips and why.
check_places() {
    places=
    for p in $1; do
        case $p in
            any) ;;
            one | split)
                cpu=0
                [ "$p" = one ] || cpu=1
                if ! command -v taskset >/dev/null 2>&1 || ! taskset -c $cpu /bin/true 2>/dev/null; then
                    echo "note: cannot pin to CPU $cpu (taskset missing, or too few CPUs): placement '$p' skipped"
                    continue
                fi
                ;;
            *)
                echo "${0##*/}: unknown placement '$p' (one, split, any)" >&2
                exit 2
                ;;
        esac
        places="$places $p"
    done
}
