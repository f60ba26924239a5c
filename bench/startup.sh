#!/bin/sh
# Start-up cost of the static binary: `husk -V` against /bin/true and a
# dynamically linked /bin/echo, N runs each, same loop, one run.
set -eu
N=${N:-2000}
HUSK=${HUSK:-target/release/husk}

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
RUNS=${RUNS:-200}
N=$RUNS
for transport in notify ptrace; do
    t=$(ns_per_run "$HUSK" -p off -m trace/transport:$transport -- /bin/true)
    printf '%-34s %10s ns/run  adds %s ns\n' "husk ($transport) -- /bin/true" "$t" "$((t - t_true))"
done
if command -v taskset >/dev/null 2>&1 && taskset -c 0 /bin/true 2>/dev/null; then
    t_pin=$(ns_per_run taskset -c 0 /bin/true)
    for transport in notify ptrace; do
        t=$(ns_per_run taskset -c 0 "$HUSK" -p off -m trace/transport:$transport -- /bin/true)
        printf '%-34s %10s ns/run  adds %s ns\n' "pinned: husk ($transport) -- true" "$t" "$((t - t_pin))"
    done
fi
