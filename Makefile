# Thin wrapper over CMake presets. The two commands a new user runs:
#   make demo   set up, build (release) and run the demo server
#   make test   set up, build (CI preset: warnings are errors) and run every test
.PHONY: setup build build-ci demo test bench fuzz asan format clean

JOBS ?= $(shell nproc)

setup:
	./scripts/setup

build: setup
	cmake --preset release >/dev/null
	cmake --build --preset release -j $(JOBS)

build-ci: setup
	cmake --preset ci >/dev/null
	cmake --build build/ci -j $(JOBS)

demo: build
	./scripts/demo build/release/apps/finbrain/finbrain

test: build-ci
	ctest --test-dir build/ci --output-on-failure -j $(JOBS) --timeout 300

asan: setup
	cmake --preset asan >/dev/null
	cmake --build build/asan -j $(JOBS)
	ctest --test-dir build/asan --output-on-failure -j $(JOBS) --timeout 600

bench: build
	./bench/http_load.sh build/release/apps/finbrain/finbrain
	./bench/ingest.sh build/release/apps/finbrain/finbrain 100000 365
	./bench/models.sh build/release/apps/finbrain/finbrain build/release/bench/models_bench
	FINBRAIN_DURABILITY=process RATE=1000 SECONDS_PER_RUN=15 USERS=5000 ./bench/decisions.sh build/release/apps/finbrain/finbrain build/release/bench/decision_load
	FINBRAIN_DURABILITY=process RATE=2000 SECONDS_PER_RUN=15 USERS=5000 PIN=1 ./bench/decisions.sh build/release/apps/finbrain/finbrain build/release/bench/decision_load
	FINBRAIN_DURABILITY=sync RATE=1000 SECONDS_PER_RUN=15 USERS=5000 ./bench/decisions.sh build/release/apps/finbrain/finbrain build/release/bench/decision_load
	./bench/graph_rings.sh build/release/apps/finbrain/finbrain
	./bench/service_http.sh build/release/apps/finbrain/finbrain build/release/bench/decision_load
	build/release/bench/graph_bench
	build/release/bench/ingest_bench
	build/release/bench/storage_bench
	build/release/bench/lists_bench
	build/release/bench/service_bench
	if [ -d ../shared/data/bitcoin_otc_fraud ]; then build/release/bench/otc_eval ../shared/data/bitcoin_otc_fraud; else echo "otc_eval: ../shared/data absent, skipped"; fi

fuzz: setup
	cmake --preset fuzz >/dev/null
	cmake --build build/fuzz -j $(JOBS)
	./fuzz/run build/fuzz $${FUZZ_SECONDS:-60}

format:
	git ls-files '*.cc' '*.h' | xargs clang-format -i

clean:
	rm -rf build
