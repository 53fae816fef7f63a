#!/bin/sh
# Installs the build into a temporary prefix (what `make install` does) and
# runs PREFIX/bin/hoc from another directory: hoc sim, hoc build (and the
# replica it builds), and a program importing a stdlib module with a C
# companion. A C compiler wrapper logs every command line, so the test sees
# that the installed runtime headers, stdlib and libraries were used and
# nothing of the source or build tree. The temporary directory is removed.
# usage: run.sh CMAKE BUILD_DIR SOURCE_DIR CC
set -u
CMAKE=$1 BUILD=$(cd "$2" && pwd) SRC=$(cd "$3" && pwd) CC=$4
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hoc-install.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 2' HUP INT PIPE TERM
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }
# the installed hoc must not need these; unset, they cannot hide a wrong default
unset HOC_RUNTIME HOC_STDLIB HOC_NET_LIB HOC_BASE_LIB

P=$tmp/prefix
if ! "$CMAKE" --install "$BUILD" --prefix "$P" >"$tmp/install.log" 2>&1; then
    cat "$tmp/install.log"
    echo "install: cmake --install failed"
    exit 1
fi
mkdir "$tmp/work" && cd "$tmp/work" || exit 2
printf '#!/bin/sh\necho "$*" >>"%s/cc.log"\nexec "%s" "$@"\n' "$tmp" "$CC" >"$tmp/cc.sh"
chmod +x "$tmp/cc.sh"
HOC_CC=$tmp/cc.sh
export HOC_CC

"$P/bin/hoc" sim "$SRC/examples/otr.ho" -n 4 >out 2>&1
if [ $? -eq 0 ] && grep -q "^ok: " out; then ok; else bad "hoc sim"; cat out; fi
"$P/bin/hoc" build "$SRC/examples/otr.ho" -o otr-replica >out 2>&1
if [ $? -eq 0 ] && [ -x otr-replica ]; then ok; else bad "hoc build"; cat out; fi
./otr-replica --help >out 2>&1
if grep -q "usage:" out; then ok; else bad "the replica's --help"; cat out; fi
# beside the program there is no ec.ho: the installed stdlib's, and its ec.c
cp "$SRC/tests/ec/parity.ho" .
"$P/bin/hoc" sim parity.ho -n 3 --rounds 12 >out 2>&1
if [ $? -eq 0 ] && grep -q "^ok: " out; then ok; else bad "hoc sim of a program importing ec"; cat out; fi

[ -s "$tmp/cc.log" ] || { bad "the C compiler was never run"; : >"$tmp/cc.log"; }
for want in "-I$P/share/hoc/runtime" "$P/share/hoc/stdlib/ec.c" "$P/lib/hoc/libhocnet.a" \
    "$P/lib/hoc/libhocbase.a"; do
    if tr ' ' '\n' <"$tmp/cc.log" | grep -Fxq -- "$want"; then ok; else bad "the compiler never saw $want"; fi
done
for tree in "$SRC/runtime" "$SRC/stdlib" "$BUILD/"; do
    if grep -Fq -- "$tree" "$tmp/cc.log"; then bad "the compiler saw $tree:"; cat "$tmp/cc.log"; else ok; fi
done
echo "install: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
