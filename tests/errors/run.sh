#!/bin/sh
# The diagnostics suite. Every .ho file here is a malformed or ill-typed
# program whose first lines say what the compiler must report:
#   // expect: LINE:COL: error: MESSAGE
# For each file, `hoc compile FILE -o TMP` must exit 2 (a program that does
# not compile is something hoc cannot do its job on: docs/cli.md), print
# every expected line as FILE:LINE:COL: error: MESSAGE, print no other
# error, and quote the source line with a caret under the column of the
# first error (around the caret only, when the line is long). Then the
# command line's usage errors must exit 2.
# usage: run.sh HOC
# Under a sanitizer build any ASan/UBSan report (leaks included) fails a case.
set -u
HOC=${1:?usage: run.sh HOC}
DIR=$(cd "$(dirname "$0")" && pwd)
LC_ALL=C
export LC_ALL
# appended, so they win over options already in the environment
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1:abort_on_error=0:exitcode=99"
UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}halt_on_error=1:print_stacktrace=1:exitcode=98"
export ASAN_OPTIONS UBSAN_OPTIONS
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hoc-errors.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 2' HUP INT PIPE TERM
pass=0 fail=0

# Runs hoc with a time limit when `timeout` exists (a hang is a failure).
run_hoc() {
    if command -v timeout >/dev/null 2>&1; then timeout 20 "$HOC" "$@"; else "$HOC" "$@"; fi
}

failed() {
    echo "FAIL $1: $2"
    fail=$((fail + 1))
}

# A sanitizer report in $1 (a stderr file) is always a failure.
sanitizer_report() {
    grep -Eq 'ERROR: (Address|Leak)Sanitizer|runtime error:|SUMMARY: (Address|Undefined|Leak)' "$1"
}

# ---- programs with errors ----
for f in "$DIR"/*.ho; do
    name=$(basename "$f" .ho)
    out="$tmp/out" err="$tmp/err" want="$tmp/want"
    rm -rf "$out"
    run_hoc compile "$f" -o "$out" >"$tmp/stdout" 2>"$err"
    rc=$?
    if sanitizer_report "$err"; then
        failed "$name" "sanitizer report:"; sed -n '1,30p' "$err"; continue
    fi
    if [ "$rc" -ne 2 ]; then
        failed "$name" "exit status $rc, expected 2"; sed -n '1,10p' "$err"; continue
    fi
    HOC_F=$f awk 'sub(/^\/\/ expect: /, "") { print ENVIRON["HOC_F"] ":" $0 }' "$f" >"$want"
    nwant=$(wc -l <"$want")
    if [ "$nwant" -eq 0 ]; then failed "$name" "no // expect: lines"; continue; fi
    ok=1
    while IFS= read -r line; do
        if ! grep -Fxq -- "$line" "$err"; then
            failed "$name" "missing: ${line#"$f:"}"; ok=0
        fi
    done <"$want"
    # every error line, whatever file it names, counts
    ngot=$(grep -c '^[^ ].*:[0-9][0-9]*:[0-9][0-9]*: error: ' "$err")
    if [ "$ngot" -ne "$nwant" ]; then
        failed "$name" "$ngot errors reported, $nwant expected"; ok=0
    fi
    if [ $ok = 1 ]; then
        # The first error quotes its line and puts a caret under its column.
        first=$(head -n 1 "$want")
        loc=${first#"$f:"}
        lineno=${loc%%:*}
        rest=${loc#*:}
        col=${rest%%:*}
        # The compiler quotes a line up to a NUL byte, if any (and an empty
        # line for the end of the input); ENVIRON keeps backslashes intact.
        # A line longer than 200 columns is quoted from 100 before the
        # caret to 100 after it, "..." marking each cut.
        HOC_FIRST=$first HOC_SRC=$(tr '\000' '\n' <"$f" | sed -n "${lineno}p") HOC_COL=$col
        export HOC_FIRST HOC_SRC HOC_COL
        if ! awk '
            BEGIN {
                src = ENVIRON["HOC_SRC"]; len = length(src)
                at = ENVIRON["HOC_COL"] - 1; if (at > len) at = len
                from = 0; to = len
                if (len > 200) { if (at > 100) from = at - 100; if (len - at > 100) to = at + 100 }
                want = "  " (from > 0 ? "..." : "") substr(src, from + 1, to - from) (to < len ? "..." : "")
                width = 2 + (from > 0 ? 3 : 0) + at - from + 1
            }
            found == 1 { if ($0 != want) exit 1; found = 2; next }
            found == 2 { ok = ($0 ~ /^  [ \t]*\^$/ && length($0) == width); exit !ok }
            $0 == ENVIRON["HOC_FIRST"] { found = 1 }
            END { if (found != 2) exit 1 }' "$err"; then
            failed "$name" "the first error does not quote line $lineno with a caret at column $col"
            ok=0
        fi
    fi
    [ $ok = 1 ] && pass=$((pass + 1))
done

# ---- a very long line: the quote is cut around the caret ----
# A 1 MB line must not quote 1 MB: at most 100 columns each side of the
# caret, with "..." where the line was cut, and the caret under the column.
long="$tmp/long_line.ho"
{
    printf 'algorithm A {\n  var x: int = 0;'
    head -c 1000000 /dev/zero | tr '\000' ' '
    printf 'var z: int = yy;\n  round {\n    send { broadcast x; }\n    update { }\n  }\n}\n'
} >"$long"
run_hoc compile "$long" -o "$tmp/out-long" >/dev/null 2>"$tmp/err"
rc=$?
if [ "$rc" -ne 2 ]; then
    failed "long line" "exit status $rc, expected 2"
elif [ "$(wc -c <"$tmp/err")" -gt 1000 ]; then
    failed "long line" "$(wc -c <"$tmp/err") bytes on stderr"
elif ! awk -v col=1000031 '
    found == 1 { quote = $0; found = 2; next }
    found == 2 { caret = $0; found = 3; next }
    index($0, ":2:" col ": error: ") { found = 1 }
    END {
        at = index(caret, "^")
        exit !(found == 3 && substr(quote, 1, 5) == "  ..." && length(quote) <= 210 &&
               substr(quote, at, 2) == "yy" && at == length(caret))
    }' "$tmp/err"; then
    failed "long line" "the quote is not cut around a caret under 'yy':"; cut -c 1-300 "$tmp/err"
else
    pass=$((pass + 1))
fi

# ---- usage errors: exit status 2 and a message ----
ok_file="$DIR/../../examples/otr.ho"
[ -f "$ok_file" ] || ok_file="$DIR/name_undefined.ho"
usage_case() {
    label=$1
    shift
    run_hoc "$@" >"$tmp/stdout" 2>"$tmp/err" </dev/null
    rc=$?
    if sanitizer_report "$tmp/err"; then
        failed "usage: $label" "sanitizer report:"; sed -n '1,30p' "$tmp/err"; return
    fi
    if [ "$rc" -ne 2 ]; then
        failed "usage: $label" "exit status $rc, expected 2"; sed -n '1,5p' "$tmp/err"; return
    fi
    if [ ! -s "$tmp/err" ]; then failed "usage: $label" "no message on stderr"; return; fi
    pass=$((pass + 1))
}
mkdir "$tmp/dir"
usage_case "no arguments"
usage_case "unknown command" frobnicate
usage_case "compile without a file" compile
usage_case "compile without -o" compile "$ok_file"
usage_case "compile, -o without a directory" compile "$ok_file" -o
usage_case "unreadable file" compile "$tmp/no-such-file.ho" -o "$tmp/o1"
usage_case "a directory as the file" compile "$tmp/dir" -o "$tmp/o2"
usage_case "sim without -n" sim "$ok_file"
usage_case "sim -n without a value" sim "$ok_file" -n
usage_case "sim --drop 2" sim "$ok_file" -n 4 --drop 2
usage_case "sim -n 0" sim "$ok_file" -n 0
usage_case "sim -n 65" sim "$ok_file" -n 65
usage_case "sim unknown option" sim "$ok_file" -n 4 --frobnicate 1
usage_case "sim unreadable file" sim "$tmp/no-such-file.ho" -n 4

# usage_says LABEL TEXT ARGS...: a usage error (exit 2) whose message holds TEXT
usage_says() {
    label=$1 text=$2
    shift 2
    before=$pass
    usage_case "$label" "$@"
    [ "$pass" -gt "$before" ] || return
    if ! grep -Fq -- "$text" "$tmp/err"; then
        pass=$before
        failed "usage: $label" "no '$text' in:"; sed -n '1,5p' "$tmp/err"
    fi
}
fm="$DIR/../../examples/floodmin.ho"
usage_says "sim --rounds x" "hoc: --rounds takes a whole number from 0 to 100000000, not 'x'" \
    sim "$ok_file" -n 4 --rounds x
usage_says "sim --rounds x, then" "run 'hoc help' for usage" sim "$ok_file" -n 4 --rounds x
usage_says "sim --param f=-1" "not 'f=-1'" sim "$fm" -n 4 --param f=-1
usage_says "check --param f=-1" "not 'f=-1'" check "$fm" -n 3 --param f=-1
usage_says "sim --param n=5 with -n 4" "n is the number of processes (4 here)" \
    sim "$fm" -n 4 --param n=5
usage_says "sim --param g=1" "has no parameter 'g'" sim "$fm" -n 4 --param g=1
usage_says "sim --input, too few" "as in 0,1,0,1" sim "$fm" -n 4 --input 1,2
printf 'algorithm Two {\n  input a: int;\n  input b: bool;\n  var x: int = a;\n  round {\n    send { broadcast x; }\n    update { }\n  }\n}\n' >"$tmp/two.ho"
usage_says "sim --input, two inputs" "2 values per process for 4 processes, as in 0:1,1:0,0:1,1:0" \
    sim "$tmp/two.ho" -n 4 --input 1,2
usage_says "check --faults x" "--faults takes benign, none or crash=K" check "$ok_file" -n 3 --faults x
usage_says "verify --only, no match" "liveness_after_1" verify "$ok_file" --only no-such-obligation
usage_says "build without -o" "build needs -o BIN" build "$ok_file"

# ---- hoc build warns about the assumptions replicas cannot enforce ----
run_hoc build "$DIR/../../examples/benor.ho" -o "$tmp/benor-replica" >"$tmp/stdout" 2>"$tmp/err" </dev/null
rc=$?
if [ "$rc" -eq 0 ] && grep -q "benor.ho:103:10: warning: the replicas cannot enforce assumption 'waiting'" "$tmp/err"; then
    pass=$((pass + 1))
else
    failed "build warning" "exit $rc, or no warning about assumption waiting"
fi

# ---- help: from the same tables the commands parse with ----
# help_says TEXT ARGS...: exit 0, TEXT on stdout
help_says() {
    text=$1
    shift
    run_hoc "$@" >"$tmp/stdout" 2>"$tmp/err" </dev/null
    rc=$?
    if [ "$rc" -eq 0 ] && grep -Fq -- "$text" "$tmp/stdout"; then
        pass=$((pass + 1))
    else
        failed "help: $*" "exit $rc, or no '$text' in the output"
    fi
}
help_says "--rounds R" help
help_says "--skip NAME" help
help_says "2  hoc could not do its job" help
help_says "--maxn N" build --help
help_says "--only TEXT" verify "$ok_file" --help

echo "errors: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
