#!/bin/sh
# The tutorial cannot rot: every program it lists must be the file in
# tests/docs/, and every command it shows must print what it shows.
#
# docs/tutorial.md marks what is checked:
#   <!-- file: tests/docs/NAME.ho -->   the ```ho block that follows is that file, verbatim;
#   ```console blocks                   "$ CMD" lines are run from the repository root with
#                                       `hoc` standing for the hoc under test; the lines up
#                                       to the next "$ " or the end of the block are its
#                                       output (stdout and stderr), where a line "..."
#                                       stands for any number of lines.
# usage: run.sh HOC
set -u
HOC=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DOC=${HOC_TUTORIAL:-$ROOT/docs/tutorial.md}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

# Split the tutorial into numbered pieces: file checks (fN.want, fN.path)
# and commands (cN.cmd, cN.want).
awk -v dir="$tmp" '
    /^<!-- file: .* -->$/ { path = $3; next }
    /^```ho$/ && path != "" { nf++; out = dir "/f" nf ".want"; print path > (dir "/f" nf ".path"); close(dir "/f" nf ".path"); inho = 1; next }
    /^```console$/ { incon = 1; next }
    /^```$/ { if (inho) close(out); inho = 0; incon = 0; path = ""; out = ""; next }
    inho { print > out; next }
    incon && /^\$ / {
        if (out != "") close(out)
        nc++
        f = dir "/c" nc ".cmd"; print substr($0, 3) > f; close(f)
        out = dir "/c" nc ".want"; printf "" > out
        next
    }
    incon && out != "" { print > out; next }
' "$DOC"

# Wall-clock times differ from run to run: "(0.004 s)" and "seconds": 0.000123
# compare equal to any other time.
untime() {
    sed -e 's/(\([0-9][0-9]*\.[0-9]*\) s)$/(TIME s)/' -e 's/"seconds": [0-9][0-9.e+-]*/"seconds": TIME/g' "$1" >"$1.u"
}

# Does the actual output ($1) match the expected ($2), "..." matching any lines?
matches() {
    untime "$1"
    untime "$2"
    awk -v want="$2.u" '
        BEGIN { nw = 0; while ((getline l < want) > 0) w[++nw] = l }
        { a[++na] = $0 }
        function m(i, j,   k) {
            if (i > nw) return j > na
            if (w[i] == "...") { for (k = j; k <= na + 1; k++) if (m(i + 1, k)) return 1; return 0 }
            return j <= na && a[j] == w[i] && m(i + 1, j + 1)
        }
        END { exit m(1, 1) ? 0 : 1 }
    ' "$1.u"
}

for p in "$tmp"/f*.path; do
    [ -e "$p" ] || continue
    want=${p%.path}.want
    file=$(cat "$p")
    if cmp -s "$want" "$ROOT/$file"; then pass=$((pass + 1)); else
        echo "FAIL: the listing of $file in docs/tutorial.md differs from the file:"
        diff "$want" "$ROOT/$file" | head -20
        fail=$((fail + 1))
    fi
done

i=1
while [ -e "$tmp/c$i.cmd" ]; do
    cmd=$(cat "$tmp/c$i.cmd")
    (cd "$ROOT" && hoc() { "$HOC" "$@"; } && eval "$cmd") >"$tmp/actual" 2>&1
    if matches "$tmp/actual" "$tmp/c$i.want"; then pass=$((pass + 1)); else
        echo "FAIL: \$ $cmd"
        echo "--- the tutorial shows:"; cat "$tmp/c$i.want"
        echo "--- hoc prints:"; head -40 "$tmp/actual"
        fail=$((fail + 1))
    fi
    i=$((i + 1))
done

echo "docs-tutorial: $pass passed, $fail failed"
[ "$fail" = 0 ] && [ "$pass" -gt 10 ]
