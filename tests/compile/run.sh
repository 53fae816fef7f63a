#!/bin/sh
# Every example compiles to C that builds warning-free under the project's
# flags, at the default capacity and at a small one (as the model checker uses).
# usage: run.sh HOC EXAMPLES_DIR RUNTIME_DIR
set -u
HOC=$1 EX=$2 RT=$3
CC=${CC:-cc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
for f in "$EX"/*.ho; do
    name=$(basename "$f" .ho)
    out="$tmp/$name"
    if ! "$HOC" compile "$f" -o "$out" >"$tmp/list" 2>"$tmp/err"; then
        echo "FAIL $name: hoc compile failed"; cat "$tmp/err"; fail=$((fail + 1)); continue
    fi
    ok=1
    for c in $(cat "$tmp/list"); do
        px=$(basename "$c" .c | tr 'a-z' 'A-Z')
        for extra in "" "-D${px}_MAXN=8 -O2" "-O2 -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion"; do
            # shellcheck disable=SC2086
            if ! $CC -std=c11 -Wall -Wextra -Werror $extra -I"$RT" -c "$c" -o "$tmp/o.o" 2>"$tmp/err"; then
                echo "FAIL $name ($extra):"; head -20 "$tmp/err"; ok=0
            fi
        done
    done
    if [ $ok = 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
done
echo "compile: $pass passed, $fail failed"
[ $fail = 0 ] && [ $pass -gt 0 ]
