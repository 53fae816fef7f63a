# Thin wrapper over CMake: the two README commands, plus bench and fuzz.
BUILD ?= build
ASAN  ?= build/asan
JOBS  ?= $(shell nproc)
# A sanitizer report must not look like a violation (exit 1) or a usage error (2).
SAN_EXIT = exitcode=86

# Where make install puts hoc (PREFIX/bin/hoc) and what it needs at run time.
PREFIX ?= /usr/local

.PHONY: all deps build demo check check-fast asan bench fuzz fuzz-sem soak format clean install

all: build

deps:
	@./scripts/deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

# The main job on a built-in default: compile OTR and simulate it on 4 processes.
# A local Amalgam cluster: workload, a machine killed and rebuilt, every block
# checked (docs/deploy.md, "The demo"). The OTR simulation is in docs/tutorial.md.
demo: build
	@python3 scripts/demo.py $(BUILD)/bin/amalgam

asan: deps
	@cmake -S . -B $(ASAN) -DCMAKE_BUILD_TYPE=Debug -DHOC_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN) -j $(JOBS)

# The whole suite, in the normal build and again under ASan+UBSan.
check: build asan
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	cd $(ASAN) && ASAN_OPTIONS=$(SAN_EXIT):detect_leaks=1 UBSAN_OPTIONS=$(SAN_EXIT):halt_on_error=1:print_stacktrace=1 \
		ctest --output-on-failure -j $(JOBS) -LE nosan

check-fast: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

bench: build
	@./bench/run.sh $(BUILD)

fuzz: deps
	@./tests/fuzz/run.sh $(or $(SECONDS),600)

# Differential testing of hoc verify's encoding against the generated C,
# seeded from the clock: random programs until SECONDS are spent; findings
# (reproducers, classified by issue 13's classes, NEW ones flagged) go to
# $(BUILD)/sem-findings. docs/verifier.md, "Differential testing".
fuzz-sem: build
	@mkdir -p $(BUILD)/sem-findings
	@python3 tests/sem/semfuzz.py $(BUILD)/bin/semdiff --seconds $(or $(SECONDS),600) --out $(BUILD)/sem-findings

# The long nemesis matrix: every system (or SYSTEMS=lastvoting,otr) under
# every fault (or FAULTS=kill,pause) for DURATION seconds each (default 300),
# report in $(BUILD)/nemesis/soak.md (docs/testing.md).
DURATION ?= 300
SYSTEMS ?= all
FAULTS ?= all
soak: build
	@mkdir -p $(BUILD)/nemesis
	python3 tests/nemesis/run.py --matrix long --system $(SYSTEMS) --fault $(FAULTS) \
		--duration $(DURATION) --fault-time 2-15 \
		--bin $(BUILD)/tests/net/bin --report $(BUILD)/nemesis/soak.md --json $(BUILD)/nemesis/soak.json

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD)
