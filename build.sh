#!/usr/bin/env bash
# build.sh - set up, build, and run the demo or the tests.
#
#   ./build.sh          install what is missing, configure, build
#   ./build.sh demo     ... then run the demo tour (CLI and the C example)
#   ./build.sh check    ... then run every test
#
# Debian packages that are missing are installed when run as root; otherwise
# the exact apt-get line is printed and the script stops.  Every step is
# skipped when it is already done, so a second run is fast.
set -euo pipefail
cd "$(dirname "$0")"
top=$(pwd)

mode=${1:-build}
case "$mode" in
build | demo | check) ;;
*)
    echo "usage: ./build.sh [demo|check]" >&2
    exit 2
    ;;
esac

packages=(
    build-essential autoconf automake libtool pkg-config
    llvm-19-dev libzstd-dev check libsleef3 libutf8proc-dev
    python3-dev python3-numpy python3-pytest python3-mpmath
)
# What only the tests need: the numexpr clients whose own suites run with
# jitexpr as numexpr (tests/clients), and what those suites import; clang
# and its sanitizer runtimes for the fuzzer (tests/fuzz).
if [ "$mode" = check ]; then
    packages+=(python3-tables python3-pandas python3-hypothesis python3-dask python3-distributed)
    packages+=(clang-19 libclang-rt-19-dev)
fi

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done
if ((${#missing[@]})); then
    if [ "$(id -u)" -ne 0 ]; then
        echo "build.sh: missing Debian packages; run as root:" >&2
        echo "  apt-get update && apt-get install -y ${missing[*]}" >&2
        exit 1
    fi
    echo "build.sh: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

jobs=$(nproc 2>/dev/null || echo 2)

if [ ! -x configure ] || [ configure.ac -nt configure ]; then
    echo "build.sh: autoreconf"
    autoreconf -fi
fi
if [ ! -f config.status ] || [ configure -nt config.status ]; then
    echo "build.sh: configure"
    ./configure --with-llvm-config="$(command -v llvm-config-19 || echo llvm-config)"
fi

make -j"$jobs"

case "$mode" in
demo)
    stage="$top/_stage"
    rm -rf "$stage"
    make install DESTDIR="$stage" >/dev/null
    prefix=$(sed -n 's/^prefix=//p' jitexpr.pc)
    libdir=$(sed -n 's/^libdir=//p' jitexpr.pc | sed "s|\${exec_prefix}|$prefix|")
    export JITEXPR="$stage$prefix/bin/jitexpr"
    export PKG_CONFIG_PATH="$stage$libdir/pkgconfig"
    export PKG_CONFIG_SYSROOT_DIR="$stage"
    export LD_LIBRARY_PATH="$stage$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    bash examples/tour.sh
    ;;
check)
    status=0
    # The Check suites and pytest run twice: first with the disk cache of
    # kernels off (their logs then move to tests/cache-off/ and
    # py/pytest-off.log), then in `make check` with it on, in
    # tests/kernel-cache and py/kernel-cache (never the user's).
    make -j"$jobs" -C tests check JITEXPR_CACHE_DIR=off || status=$?
    rm -rf tests/cache-off
    mkdir -p tests/cache-off
    for log in tests/check_*.log; do
        [ -f "$log" ] && mv "$log" tests/cache-off/
    done
    make -C py check-pytest JITEXPR_CACHE_DIR=off PYTEST_LOG=pytest-off.log \
        >/dev/null || status=$?
    make -j"$jobs" check || status=$?
    # A short fuzzer run (tests/fuzz): its last line says how many
    # executions ran and libFuzzer's exit status; a finding fails check.
    fuzz_status=
    if command -v clang-19 >/dev/null 2>&1; then
        fuzz_status=0
        make -j"$jobs" fuzz-quick >tests/fuzz-quick.log 2>&1 || fuzz_status=$?
    fi
    # The per-suite results (Check's own summary lines), then one total.
    passed=0
    failed=0
    for log in tests/*.log tests/cache-off/*.log; do
        [ "$log" = tests/test-suite.log ] && continue
        [ -f "$log" ] || continue
        line=$(grep -E '^[0-9]+%: Checks: ' "$log" | tail -n 1 || true)
        if [ -n "$line" ]; then
            label=$(basename "$log" .log)
            [ "$(dirname "$log")" = tests/cache-off ] && label="$label (cache off)"
            echo "$label: $line"
            c=$(echo "$line" | sed -E 's/.*Checks: ([0-9]+), Failures: ([0-9]+), Errors: ([0-9]+).*/\1 \2 \3/')
            read -r n f e <<<"$c"
            passed=$((passed + n - f - e))
            failed=$((failed + f + e))
        fi
    done
    # pytest's totals ("612 passed, 2 failed in 50s"), cache on and off.
    for log in py/pytest.log py/pytest-off.log; do
        [ -f "$log" ] || continue
        line=$(grep -E '^=*[ ]*[0-9]+ (passed|failed|error)' "$log" | tail -n 1 || true)
        if [ -n "$line" ]; then
            label=pytest
            [ "$log" = py/pytest-off.log ] && label="pytest (cache off)"
            echo "$label: $line"
            count() { echo "$line" | grep -oE "[0-9]+ $1" | grep -oE '[0-9]+' || echo 0; }
            passed=$((passed + $(count passed)))
            failed=$((failed + $(count failed) + $(count 'errors?')))
        fi
    done
    # The client suites' lines ("pandas/tests/...: 812 passed, 0 failed ...").
    if [ -f py/clients.log ]; then
        while read -r line; do
            echo "$line"
            p=$(echo "$line" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+' || echo 0)
            f=$(echo "$line" | grep -oE '[0-9]+ failed' | grep -oE '^[0-9]+' || echo 0)
            e=$(echo "$line" | grep -oE '\(([0-9]+) expected\)' | grep -oE '[0-9]+' || echo 0)
            passed=$((passed + p))
            failed=$((failed + f - e))
        done < <(grep -E ': [0-9]+ (run|passed)' py/clients.log)
    fi
    if [ -n "$fuzz_status" ]; then
        line=$(grep -E '^fuzz: [0-9]+ executions' tests/fuzz-quick.log | tail -n 1 || true)
        echo "${line:-fuzz: no result (see tests/fuzz-quick.log)}"
        if [ "$fuzz_status" -eq 0 ] && [ -n "$line" ]; then
            passed=$((passed + 1))
        else
            failed=$((failed + 1))
            status=1
            tail -n 40 tests/fuzz-quick.log
        fi
    else
        echo "fuzz: skipped (no clang-19)"
    fi
    if [ "$status" -ne 0 ]; then
        for log in tests/*.log tests/cache-off/*.log; do
            grep -qE '^(FAIL|ERROR)' "$log" 2>/dev/null && cat "$log"
        done
        [ "$failed" -eq 0 ] && failed=1
    fi
    echo "$passed passed, $failed failed"
    exit "$status"
    ;;
esac
