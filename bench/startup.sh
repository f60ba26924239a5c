#!/bin/sh
# Start-up cost of the static binary: `husk -V` against /bin/true and a
# dynamically linked /bin/echo, N runs each, same loop, one run.
# Then a whole supervised run, `husk $POLICY -m trace/transport:T --
# /bin/true` (POLICY: `-p off` unless set), per transport, unpinned and
# pinned to CPU 0: what husk adds to a command's start and end. With HUSK_OLD=PATH, that binary's
# runs are timed too, interleaved with HUSK's (before/after a change, in
# one run): REPS (default 1; 7 with HUSK_OLD) batches of RUNS runs each,
# medians of the batches.
set -euf # no globbing: POLICY may hold patterns like /***
N=${N:-2000}
HUSK=${HUSK:-target/release/husk}
HUSK_OLD=${HUSK_OLD:-}
POLICY=${POLICY:--p off}
RUNS=${RUNS:-200}
if [ -n "$HUSK_OLD" ]; then REPS=${REPS:-7}; else REPS=${REPS:-1}; fi

ns_per_run() {
    start=$(date +%s%N)
    i=0
    while [ $i -lt "$N" ]; do "$@" >/dev/null; i=$((i + 1)); done
    end=$(date +%s%N)
    echo $(( (end - start) / N ))
}

t_true=$(ns_per_run /bin/true)
t_echo=$(ns_per_run /bin/echo x)
t_husk=$(ns_per_run "$HUSK" -V)
echo "runs: $N each"
echo "binary size: $(stat -c %s "$HUSK") bytes"
printf '%-22s %10s ns/run  ratio %s\n' "/bin/true" "$t_true" "1.00"
printf '%-22s %10s ns/run  ratio %s\n' "/bin/echo x" "$t_echo" "$(awk "BEGIN{printf \"%.2f\", $t_echo / $t_true}")"
printf '%-22s %10s ns/run  ratio %s\n' "husk -V" "$t_husk" "$(awk "BEGIN{printf \"%.2f\", $t_husk / $t_true}")"

# A whole supervised run of /bin/true, per transport, unpinned and all
# on CPU 0: what husk adds to a command's start and end.
N=$RUNS
pin=
if command -v taskset >/dev/null 2>&1 && taskset -c 0 /bin/true 2>/dev/null; then
    pin="taskset -c 0"
fi
samples=
r=0
while [ $r -lt "$REPS" ]; do
    for place in any pinned; do
        [ "$place" = pinned ] && [ -z "$pin" ] && continue
        p=
        [ "$place" = pinned ] && p=$pin
        # shellcheck disable=SC2086 # $p is a command prefix or nothing
        samples="$samples
$place true $(ns_per_run $p /bin/true)"
        for transport in notify ptrace; do
            for h in "$HUSK" $HUSK_OLD; do
                # shellcheck disable=SC2086
                samples="$samples
$place $h:$transport $(ns_per_run $p "$h" $POLICY -m trace/transport:$transport -- /bin/true)"
            done
        done
    done
    r=$((r + 1))
done
echo "supervised runs ($POLICY): $RUNS per batch, $REPS batch(es), medians; load average: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
echo "$samples" | awk 'NF == 3 { k = $1 " " $2; n[k]++; v[k, n[k]] = $3; if (!(k in seen)) { seen[k] = 1; order[++m] = k } }
    END {
        for (i = 1; i <= m; i++) {
            k = order[i]; c = n[k]
            for (a = 1; a <= c; a++) s[a] = v[k, a]
            for (a = 1; a <= c; a++) for (b = a + 1; b <= c; b++) if (s[b] < s[a]) { t = s[a]; s[a] = s[b]; s[b] = t }
            med[k] = (c % 2) ? s[(c + 1) / 2] : (s[c / 2] + s[c / 2 + 1]) / 2
        }
        for (i = 1; i <= m; i++) {
            k = order[i]; split(k, f, " ")
            base = med[f[1] " true"]
            if (f[2] == "true") printf "%-7s %-44s %10.0f ns/run\n", f[1], "/bin/true", med[k]
            else printf "%-7s %-44s %10.0f ns/run  adds %.2f ms\n", f[1], "husk " f[2] " -- /bin/true", med[k], (med[k] - base) / 1e6
        }
    }'
