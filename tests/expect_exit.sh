#!/bin/sh
# usage: expect_exit.sh CODE COMMAND...: passes iff COMMAND exits with CODE
# (so a violation, exit 1, is not confused with a tool failure, exit 2).
want=$1
shift
"$@" >/tmp/expect_exit.$$ 2>&1
got=$?
if [ "$got" -ne "$want" ]; then
    cat /tmp/expect_exit.$$
    echo "expected exit $want, got $got: $*"
    rm -f /tmp/expect_exit.$$
    exit 1
fi
rm -f /tmp/expect_exit.$$
echo "exit $got as expected"
