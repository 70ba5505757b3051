#!/usr/bin/env bash
# threads.sh - thread scaling of jitexpr, as tables of threads against time,
# so it runs unchanged on a machine with any number of cores.
#
#   bench/threads.sh [path/to/jitexpr]
#
# 1. n = 1e7, threads 1, 2, 4, ... up to the cores this process may use:
#    a compute-bound expression, a memory-bound one, and a reduction.
# 2. The break-even size: 1 thread against 2 for small n with the inline
#    threshold lifted (JITEXPR_PARALLEL_WORK=0); where 2 threads start to
#    win, times the expression's cost per element, is where the default
#    work threshold (JX_PARALLEL_WORK_DEFAULT) belongs.
set -euo pipefail
jitexpr=${1:-./jitexpr}
cores=$(nproc)

median_ms() { # expr n threads repeats
    "$jitexpr" bench "$1" -n "$2" -t "$3" -r "$4" |
        sed -n 's/^eval: *median \([0-9.]*\) \(m\|u\)s.*/\1 \2/p' |
        awk '{ print ($2 == "u") ? $1 / 1000 : $1 }'
}

threads=(1)
t=2
while [ "$t" -le "$cores" ]; do
    threads+=("$t")
    t=$((t * 2))
done
[ "${threads[-1]}" -eq "$cores" ] || threads+=("$cores")

echo "== n = 1e7: time (ms), median of 9 runs, and speed-up over 1 thread =="
printf "%-24s" "expression"
for t in "${threads[@]}"; do printf "%16s" "$t thr"; done
echo
for expr in "sin(a)**2+cos(b)**2" "2*a+3*b" "sum(a*b)"; do
    printf "%-24s" "$expr"
    base=""
    for t in "${threads[@]}"; do
        ms=$(median_ms "$expr" 10000000 "$t" 9)
        [ -n "$base" ] || base=$ms
        printf "%9.2f %5.2fx" "$ms" "$(awk -v b="$base" -v m="$ms" 'BEGIN { print b / m }')"
    done
    echo
done

echo
echo "== break-even: 1 thread vs 2, inline threshold lifted (JITEXPR_PARALLEL_WORK=0) =="
echo "   time per call in microseconds, median of 201 runs"
printf "%-10s %14s %14s %14s %14s\n" "n" "a+b 1thr" "a+b 2thr" "sin(a) 1thr" "sin(a) 2thr"
for n in 2048 4096 8192 16384 32768 65536 131072 262144; do
    row=()
    for expr in "a+b" "sin(a)"; do
        for t in 1 2; do
            ms=$(JITEXPR_PARALLEL_WORK=0 median_ms "$expr" "$n" "$t" 201)
            row+=("$(awk -v m="$ms" 'BEGIN { print m * 1000 }')")
        done
    done
    printf "%-10s %14.1f %14.1f %14.1f %14.1f\n" "$n" "${row[@]}"
done
