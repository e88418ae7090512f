# pingan — front door. `make demo` and `make test` are the two commands a new user needs.
SHELL := /bin/bash
JOBS  ?= $(shell nproc)
DATA  ?= $(abspath ../shared/data)
CITY  ?= dc

.PHONY: all deps build release asan test test-unit test-asan web e2e e2e-run bench demo format fuzz fuzz-build fuzz-smoke clean

all: build

deps:
	@scripts/deps.sh

build:
	cmake --preset dev -DPINGAN_DATA_DIR=$(DATA) >/dev/null
	cmake --build --preset dev -j $(JOBS)

release:
	cmake --preset release -DPINGAN_DATA_DIR=$(DATA) >/dev/null
	cmake --build --preset release -j $(JOBS)

asan:
	cmake --preset asan -DPINGAN_DATA_DIR=$(DATA) >/dev/null
	cmake --build --preset asan -j $(JOBS)

# Everything CI checks: dependencies, the dev build with all tests (unit, API, crash, real data),
# the console's browser tests, the unit tests again under ASan+UBSan, then 30 s of fuzzing per
# parser of outside input.
test: deps build
	ctest --preset dev -j $(JOBS)
	$(MAKE) e2e-run
	$(MAKE) test-asan
	$(MAKE) fuzz-smoke

test-unit: build
	ctest --preset dev -j $(JOBS) -L unit

test-asan: asan
	ctest --preset asan -j $(JOBS)

# The command console (web/): npm packages from package-lock.json, then web/dist.
# npm ci refuses a lock that lacks other platforms' optional packages (a registry mirror without
# them writes such a lock); npm install --no-save then installs the same pinned versions.
web:
	cd web && { npm ci --no-audit --no-fund || npm install --no-save --no-audit --no-fund; } && npm run build

# End-to-end browser tests (Debian's Chromium via playwright-core) against the dev build.
e2e: deps build
	$(MAKE) e2e-run

# PINGAN_BIN=build/<dir>/src/cli/pingan tests another build (relative to the repository root).
PINGAN_BIN ?= build/dev/src/cli/pingan
e2e-run: web
	cd web && PINGAN_BIN=$(PINGAN_BIN) DATA=$(DATA) node --test --test-concurrency=1 tests/

bench: deps release
	scripts/bench.sh

demo: deps release web
	scripts/demo.sh $(CITY)

# libFuzzer targets (clang-14, ASan + UBSan) of every parser of outside input: fuzz/README.md.
FUZZ_TARGETS   = incident_csv geojson eido config_toml osm http_bodies flat_json field_files
FUZZ_SECONDS  ?= 30
fuzz-build:
	cmake --preset fuzz >/dev/null
	cmake --build --preset fuzz -j $(JOBS) --target $(addprefix fuzz_,$(FUZZ_TARGETS))

# Each target for FUZZ_SECONDS from its corpus (tests/fuzz-corpus/NAME: seeds and inputs that
# once failed); new inputs go to build/fuzz/corpus/NAME, crashes to build/fuzz/crashes/.
fuzz-smoke: fuzz-build
	scripts/fuzz.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz: FUZZ_SECONDS = 600
fuzz: fuzz-smoke

format:
	git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

clean:
	rm -rf build
