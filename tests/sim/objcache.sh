#!/bin/sh
# The compile cache (cli/objcache.c, docs/cli.md "The compile cache"): a
# program run again is not compiled again, and anything that changes the
# object changes the key: the source, a header the generated code includes
# (through the preprocessed text), the cache never serves another program's
# object unless it was put under that program's key (then it is served: the
# hit path is real), a damaged entry is compiled afresh, HOC_CACHE=off
# stores nothing.
# usage: objcache.sh HOC RUNTIME_DIR
set -u
HOC=$1 RT=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }
export HOC_CACHE="$tmp/cache"
entries() { ls "$HOC_CACHE" 2>/dev/null | grep -c '\.so$'; }

# konst K: a program whose every process decides K
konst() {
    cat >"$tmp/k.ho" <<EOT
const K = $1;
algorithm Konst {
  param n;
  input v: int;
  output decide(int) agreed;
  var d: bool = false;
  round r msg (x: int) {
    send { broadcast v; }
    update { if (!d) { decide(K); d = true; } }
  }
}
EOT
}
# decides WANT [ENV...]: hoc sim on k.ho, every process decides WANT
decides() {
    want=$1; shift
    env "$@" "$HOC" sim "$tmp/k.ho" -n 3 --rounds 2 --seed 1 >"$tmp/out" 2>&1
    rc=$?
    [ $rc -eq 0 ] && [ "$(grep -c "decide($want)" "$tmp/out")" -eq 3 ]
}

konst 1
decides 1 && ok || { bad "K = 1 first run"; cat "$tmp/out"; }
[ "$(entries)" -eq 1 ] && ok || bad "one entry after a run: $(entries)"
first=$(ls "$HOC_CACHE" | grep '\.so$')
decides 1 && ok || bad "K = 1 from the cache"
[ "$(entries)" -eq 1 ] && ok || bad "a second run stored another entry: $(entries)"
# the source changes the key
konst 2
decides 2 && ok || { bad "K = 2 after K = 1 was cached"; cat "$tmp/out"; }
[ "$(entries)" -eq 2 ] && ok || bad "two programs, $(entries) entries"
second=$(ls "$HOC_CACHE" | grep '\.so$' | grep -v "$first")
# the cache is what serves a hit: K = 2's object under K = 1's key decides 2
cp "$HOC_CACHE/$second" "$HOC_CACHE/$first"
konst 1
decides 2 && ok || { bad "K = 1's key did not serve the object stored under it"; cat "$tmp/out"; }
# a damaged entry is compiled afresh, and replaced
printf 'not an object' >"$HOC_CACHE/$first"
decides 1 && ok || { bad "a damaged entry"; cat "$tmp/out"; }
decides 1 && ok || { bad "the entry compiled after a damaged one"; cat "$tmp/out"; }
head -c 4 "$HOC_CACHE/$first" | grep -q ELF && ok || bad "the damaged entry was not replaced"
# a header the generated code includes is part of the key: the same runtime
# directory, one declaration more in hoc_rt.h
cp -r "$RT" "$tmp/rt"
n=$(entries)
decides 1 HOC_RUNTIME="$tmp/rt" && ok || bad "copied runtime"
[ "$(entries)" -eq $((n + 1)) ] && ok || bad "another -I, no new entry"
decides 1 HOC_RUNTIME="$tmp/rt" && ok || bad "copied runtime, again"
[ "$(entries)" -eq $((n + 1)) ] && ok || bad "copied runtime hit: $(entries) entries"
echo 'typedef int hoc_objcache_test_t;' >>"$tmp/rt/hoc_rt.h"
decides 1 HOC_RUNTIME="$tmp/rt" && ok || bad "changed header"
[ "$(entries)" -eq $((n + 2)) ] && ok || bad "a changed header did not change the key"
# off: nothing stored (a program not seen before)
n=$(entries)
konst 3
decides 3 HOC_CACHE=off && ok || bad "HOC_CACHE=off"
[ "$(entries)" -eq "$n" ] && ok || bad "HOC_CACHE=off stored an entry"
konst 1
[ ! -e "$tmp/off" ] && decides 1 HOC_CACHE="$tmp/off" && [ "$(ls "$tmp/off" | grep -c '\.so$')" -eq 1 ] &&
    ok || bad "a cache directory is made"
no_tmp=$(ls "$HOC_CACHE" | grep -c tmp)
[ "$no_tmp" -eq 0 ] && ok || bad "temporaries left: $no_tmp"

echo "objcache: $pass passed, $fail failed"
[ $fail -eq 0 ]
