#!/usr/bin/env bash
# tour.sh - a short tour of jitexpr: the command line, then the C example.
#
#   JITEXPR=path/to/jitexpr PKG_CONFIG_PATH=... bash examples/tour.sh
#
# `./build.sh demo` runs it after installing into a staging prefix.  Needs
# bash, a C compiler and pkg-config; no Python.  Files go to a temporary
# folder that is removed at the end.
set -euo pipefail

JITEXPR=${JITEXPR:-jitexpr}
CC=${CC:-cc}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/jitexpr-tour.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"

step() { printf '\n=== %s ===\n' "$*"; }

# Prints a command as one would type it (the staged binary as `jitexpr`).
echo_cmd() {
    local out='$' a
    for a in "$@"; do
        [ "$a" = "$JITEXPR" ] && a=jitexpr
        if [[ $a =~ ^[A-Za-z0-9_./=:,+-]+$ ]]; then
            out+=" $a"
        else
            out+=" \"$a\""
        fi
    done
    printf '%s\n' "$out"
}

# Shows and runs a command that must succeed.
run() {
    echo_cmd "$@"
    "$@"
}

# Shows and runs a command that must fail with exit status $1.
run_fails() {
    local want=$1 rc=0
    shift
    echo_cmd "$@"
    "$@" 2>&1 || rc=$?
    echo "(exit status $rc)"
    if [ "$rc" -ne "$want" ]; then
        echo "tour: expected exit status $want" >&2
        exit 1
    fi
}

# npy_header DESCR SHAPE: prints a .npy header with bash's printf alone:
# the magic, the version, the header length, the header dict padded so the
# data starts at a multiple of 64.
npy_header() {
    local dict="{'descr': '$1', 'fortran_order': False, 'shape': $2, }"
    local hlen=$(((10 + ${#dict} + 1 + 63) / 64 * 64 - 10))
    printf '\223NUMPY\001\000'
    printf '%b' "\\0$(printf %03o $((hlen & 255)))\\0$(printf %03o $((hlen >> 8)))"
    printf '%s%*s\n' "$dict" $((hlen - ${#dict} - 1)) ''
}

# npy_int32 FILE SHAPE VALUE...: writes an int32 .npy file, little-endian.
npy_int32() {
    local file=$1 shape=$2 esc='' o v s
    shift 2
    for v in "$@"; do
        for s in 0 8 16 24; do
            printf -v o '\\0%03o' $((v >> s & 255))
            esc+=$o
        done
    done
    {
        npy_header '<i4' "$shape"
        printf '%b' "$esc"
    } >"$file"
}

# npy_bytes FILE N WORD...: writes a byte string .npy file ('|S<N>', as
# np.save writes np.array([b'...', ...])), each word padded with NULs.
npy_bytes() {
    local file=$1 n=$2 w
    shift 2
    {
        npy_header "|S$n" "($#,)"
        for w in "$@"; do
            printf '%s' "$w"
            head -c $((n - ${#w})) /dev/zero
        done
    } >"$file"
}

step "1. version"
run "$JITEXPR" version

step "2. eval over .npy files (written by the shell, then by jitexpr -o)"
echo "# i.npy: int32 0..999, written with bash's printf"
npy_int32 i.npy "(1000,)" $(seq 0 999)
run "$JITEXPR" eval "i / 1000" i=i.npy -o a.npy
run "$JITEXPR" eval "(i % 7) * 0.5" i=i.npy -o b.npy
run "$JITEXPR" eval "2*a + sin(b)**2 > c" a=a.npy b=b.npy c=1.5
run "$JITEXPR" eval "sqrt(a) * 2 - 1" a=a.npy

step "3. broadcasting: (3,1) with (4,)"
npy_int32 col.npy "(3, 1)" 0 1 2
npy_int32 row.npy "(4,)" 1 2 3 4
run "$JITEXPR" eval "10*col + row" col=col.npy row=row.npy -o grid.npy
run "$JITEXPR" eval "where(g > 15, g, -g)" g=grid.npy

step "4. scalars"
run "$JITEXPR" eval "sqrt(x**2 + y**2)" x=3 y=4.0
run "$JITEXPR" eval "x / 3 > y" x=7:float32 y=True

step "5. byte strings: .npy files of descr |S<n>"
npy_bytes names.npy 6 apple banana cab kiwi ""
echo "# names.npy: |S6 [b'apple', b'banana', b'cab', b'kiwi', b'']"
run "$JITEXPR" eval "contains(s, b'an') | (s == b'cab')" s=names.npy
run "$JITEXPR" eval "s < b'c'" s=names.npy
run_fails 2 "$JITEXPR" eval "where(s < b'c', s, b'')" s=names.npy

step "6. explain 2*a+3*b (a, b float64): typed IR and vector code"
echo_cmd "$JITEXPR" explain "2*a+3*b"
"$JITEXPR" explain "2*a+3*b" >explain.txt
echo "($(wc -l <explain.txt) lines: parse tree, typed IR, LLVM IR, machine code)"
# The typed IR section when there is one, else the first lines.
sed -n '/^== typed IR/,/^$/p' explain.txt >ir.txt
if [ -s ir.txt ]; then cat ir.txt; else head -n 12 explain.txt; fi
# Packed-double instructions on xmm/ymm/zmm registers, or LLVM vector types.
if ! grep -E '[a-z0-9]+pd[[:space:]].*[xyz]mm[0-9]|<[0-9]+ x double>' \
    explain.txt >vector.txt; then
    echo "tour: explain shows no vector instructions" >&2
    exit 1
fi
echo "vector code ($(wc -l <vector.txt) lines), for example:"
{ grep -E '(mul|add)pd[[:space:]]' vector.txt || cat vector.txt; } | head -n 4

step "7. errors point at the expression"
run_fails 2 "$JITEXPR" eval "2*a + * b" a=1.0 b=2.0
run_fails 2 "$JITEXPR" eval "2*a + sinn(b)" a=1.0 b=2.0
run_fails 2 "$JITEXPR" eval "a + b" a=i.npy b=row.npy
run_fails 1 "$JITEXPR" eval "a + 1" a=missing.npy

step "8. bench, n = 1e7"
run "$JITEXPR" bench "2*a + 3*b" -n 1e7
run "$JITEXPR" bench "sin(a)**2 + cos(b)**2" -n 1e7

step "9. the embedding example, built with pkg-config"
if ! pkg-config --exists jitexpr; then
    echo "tour: pkg-config does not find jitexpr (set PKG_CONFIG_PATH)" >&2
    exit 1
fi
# shellcheck disable=SC2016 # shown as typed, not expanded
echo '$ cc -O2 -Wall -o embed embed.c $(pkg-config --cflags --libs jitexpr) -lm'
# shellcheck disable=SC2046 # pkg-config's flags are meant to be split
"$CC" -O2 -Wall -o embed "$here/embed.c" $(pkg-config --cflags --libs jitexpr) -lm
run ./embed

printf '\ntour: done\n'
