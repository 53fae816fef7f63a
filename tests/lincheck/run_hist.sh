#!/bin/sh
# usage: run_hist.sh CHECKER FILE
# Runs CHECKER on the history FILE and passes iff it exits with the status of
# FILE's "# expect: CODE" line and prints the text of each "# says: TEXT"
# line. A "# options: ..." line gives CHECKER options; "# html" also asks for
# an HTML page, which must be written whole.
checker=$1
file=$2
want=$(sed -n 's/^# expect: *//p' "$file")
opts=$(sed -n 's/^# options: *//p' "$file")
out=$(mktemp) || exit 2
html=
if grep -q '^# html' "$file"; then html=$(mktemp) || exit 2; fi
# shellcheck disable=SC2086 # the options are words
"$checker" $opts ${html:+--html "$html"} "$file" >"$out" 2>&1
got=$?
fail=0
if [ "$got" != "$want" ]; then
    echo "expected exit $want, got $got"
    fail=1
fi
sed -n 's/^# says: *//p' "$file" | while IFS= read -r text; do
    if ! grep -qF -- "$text" "$out"; then
        echo "output lacks: $text"
        touch "$out.missing"
    fi
done
[ -e "$out.missing" ] && fail=1
if [ -n "$html" ] && ! grep -q '</html>' "$html"; then
    echo "no whole HTML page written"
    fail=1
fi
if [ $fail -ne 0 ]; then
    echo "--- output of $checker $opts $file:"
    cat "$out"
fi
rm -f "$out" "$out.missing" ${html:+"$html"}
exit $fail
