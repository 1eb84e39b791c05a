# edgeconform — the two commands a fresh clone needs are `make conformance` and `make test`.
# Everything else they need is installed by the scripts they call.

CARGO      ?= cargo
JOBS       ?= 2
BIN        := target/release/edgeconform
SPECS      ?=
TARGET     ?=
TARGET_HTTPS ?=
FUZZ_SECONDS ?= 30
FUZZ_TARGETS ?=

export CARGO_BUILD_JOBS := $(JOBS)

.PHONY: all build conformance test test-rust lint bench fuzz fuzz-nightly fuzz-seeds fuzz-live fuzz-live-selftest selftest matrix clean help

all: build

help:
	@echo "make conformance [TARGET=http://host:port TARGET_HTTPS=https://host:port]  run the suite"
	@echo "make test        unit, integration and self tests (what CI runs)"
	@echo "make selftest    the suite against every mutant of the reference edge: kill rate"
	@echo "make bench       benchmarks: decide() rate, pattern matching, reference edge vs nginx, runner vs wrk"
	@echo "make fuzz        every fuzz target for FUZZ_SECONDS (default 30) each (nightly)"
	@echo "make fuzz-nightly  1 h a target (FUZZ_SECONDS), corpus cmin, crashes tmin'd, exec/s summary"
	@echo "make fuzz-seeds  seed corpora for every fuzz target from the specs (fuzz/corpus/)"
	@echo "make fuzz-live   edgeconform fuzz against the reference edge and every installable recipe, FUZZ_SECONDS each"
	@echo "make fuzz-live-selftest  fuzzing alone against every mutant: time to find its rule (at most 60 s each)"

build:
	$(CARGO) build --release -p edgeconform

## The main job: the suite against the embedded reference edge (no TARGET) or an external one.
conformance: build
	scripts/conformance.sh "$(BIN)" "$(SPECS)" "$(TARGET)" "$(TARGET_HTTPS)"

## What CI runs (.ci/run): dependency guards, every test of the workspace.
test:
	scripts/check-deps.sh
	$(CARGO) test --workspace --no-fail-fast

## The self-test: the suite against the reference edge and every mutant of it (harness/cli/tests/selftest.rs;
## `make test` runs it too). Prints the mutant → violated rules table and the kill rate.
selftest:
	$(CARGO) test -p edgeconform --test selftest -- --nocapture

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

bench:
	$(CARGO) bench -p edgeconform-core --bench decide
	scripts/bench-decide.sh --from-last-run
	$(CARGO) bench -p edgeconform-core --bench pattern
	scripts/bench-edge.sh
	SKIP_BUILD=1 scripts/bench-runner.sh
	SKIP_BUILD=1 scripts/bench-fuzz-live.sh

## The suite against the reference edge and every recipe in targets/ that installs here:
## reports/matrix/index.html and summary.md.
matrix: build
	scripts/matrix.sh

## Fuzzing (fuzz/, nightly toolchain; cargo-fuzz is installed on first use). FUZZ_TARGETS picks
## targets, FUZZ_FLAGS="-O -s none" drops the sanitizer. Exit 1 when a target crashed.
fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_TARGETS="$(FUZZ_TARGETS)" scripts/fuzz.sh

## FUZZ_SECONDS defaults to one hour here unless it was set on the command line or environment.
fuzz-nightly:
	FUZZ_SECONDS=$(if $(filter file,$(origin FUZZ_SECONDS)),3600,$(FUZZ_SECONDS)) FUZZ_TARGETS="$(FUZZ_TARGETS)" scripts/fuzz-nightly.sh

## Live fuzzing: generated requests against a live edge, judged by the model (`edgeconform fuzz`): the
## reference edge must yield nothing, each recipe only its baseline. Reports in reports/fuzz-live/.
fuzz-live: build
	FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz-live.sh

## Fuzzing alone against every mutant, at most 60 s each: which declared rules it finds, how fast.
fuzz-live-selftest: build
	scripts/fuzz-live-selftest.sh

fuzz-seeds:
	$(CARGO) run -q -p edgeconform --example fuzz_seeds -- "$(or $(SPECS),specs)" fuzz/corpus

clean:
	$(CARGO) clean
