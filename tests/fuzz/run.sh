#!/bin/sh
# Fuzzes one target with libFuzzer for SECONDS (default 600): the hoc front
# end and C back end (front, the default), a runtime parser (wire,
# handshake, mux, peers, resp, cluster, amreq) or what a service reads back from
# its disk (amjournal, amrstore, amterm, kvwal, stable; see tests/fuzz/README.md).
#   ./tests/fuzz/run.sh [SECONDS]
#   FUZZ_TARGET=wire ./tests/fuzz/run.sh 1800
# Environment:
#   FUZZ_TARGET front (default), wire, handshake, mux, peers, resp, cluster, amreq,
#               amjournal, amrstore, amterm, kvwal, stable
#   FUZZ_BUILD  clang build dir to (re)configure (default build/fuzz)
#   FUZZ_WORK   working corpus + crash artifacts (default $FUZZ_BUILD/fuzz-work)
#   MERGE=1     afterwards, merge inputs with new coverage into tests/fuzz/corpus
#   FUZZ_ARGS   extra libFuzzer flags
# One worker only: the machine is shared. Exit 1 if a crash/leak/timeout was found.
set -eu
SECS=${1:-600}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
FUZZ_BUILD=${FUZZ_BUILD:-$ROOT/build/fuzz}
TARGET=${FUZZ_TARGET:-front}
HERE=$ROOT/tests/fuzz
if [ "$TARGET" = front ]; then
  CORPUS=$HERE/corpus
  DICT="-dict=$HERE/ho.dict"
  FUZZ_WORK=${FUZZ_WORK:-$FUZZ_BUILD/fuzz-work}
else
  CORPUS=$HERE/corpus-$TARGET
  DICT=""
  FUZZ_WORK=${FUZZ_WORK:-$FUZZ_BUILD/fuzz-work-$TARGET}
fi
# wire: a frame may make an instance catch up HOC_ENGINE_MAX_JUMP (2^20)
# rounds, about 40 ms of updates in a normal build and seconds under the
# fuzzer's instrumentation: that bounded cost is not a hang
TIMEOUT=2
[ "$TARGET" = wire ] && TIMEOUT=20

# The wire target links OTR as hoc compiles it, so this build makes hoc too;
# some clang versions warn about `{NULL}` table ends in cli/ (a gcc build
# does not), which -Werror would turn into a failed build.
cmake -S "$ROOT" -B "$FUZZ_BUILD" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_FLAGS=-Wno-error=missing-field-initializers >/dev/null
cmake --build "$FUZZ_BUILD" --target "fuzz-$TARGET" -j 2 >/dev/null
BIN=$FUZZ_BUILD/bin/fuzz-$TARGET

rm -rf "$FUZZ_WORK/artifacts"
mkdir -p "$FUZZ_WORK/corpus" "$FUZZ_WORK/artifacts"
# The working corpus starts from (and keeps growing beyond) the checked-in one.
cp -n "$CORPUS"/* "$FUZZ_WORK/corpus/" 2>/dev/null || true

echo "fuzzing for ${SECS}s; corpus $FUZZ_WORK/corpus, artifacts $FUZZ_WORK/artifacts"
set +e
# shellcheck disable=SC2086
"$BIN" "$FUZZ_WORK/corpus" \
  $DICT -max_len=4096 -timeout=$TIMEOUT -rss_limit_mb=2048 \
  -max_total_time="$SECS" -print_final_stats=1 \
  -artifact_prefix="$FUZZ_WORK/artifacts/" ${FUZZ_ARGS:-} 2>&1 | tee "$FUZZ_WORK/last.log" | grep -v '^#[0-9]*.*\(NEW\|REDUCE\)\|^"\|^  NEW_FUNC'
set -e

if [ "${MERGE:-0}" = 1 ]; then
  "$BIN" -merge=1 -max_len=4096 -timeout=$TIMEOUT "$CORPUS" "$FUZZ_WORK/corpus" 2>&1 | tail -3
fi

found=$(ls "$FUZZ_WORK/artifacts" 2>/dev/null | grep -c . || true)
if [ "$found" -gt 0 ]; then
  echo "fuzz: $found artifact(s) in $FUZZ_WORK/artifacts:"
  ls "$FUZZ_WORK/artifacts"
  exit 1
fi
echo "fuzz: no crashes"
