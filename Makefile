# The two commands of the README: `make demo` and `make test`. Both install what is missing.
JOBS ?= $(shell nproc)
BUILD ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 600
FUZZ_PARALLEL ?= 1

.PHONY: all deps build package build-asan build-fuzz fuzz fuzz-merge test test-release test-asan demo bench lambda-zip format clean

all: build

deps:
	@bash deps/install.sh
	@bash deps/npm.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

build-asan: deps
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" \
	  -DCSV2DDB_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)

# libFuzzer targets (fuzz/README.md), built with clang, ASan and UBSan in a directory of their own.
build-fuzz: deps
	@cmake -S . -B $(FUZZ_BUILD) -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" -DCSV2DDB_FUZZ=ON >/dev/null
	@cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzz_all

# Runs every target for FUZZ_SECONDS (FUZZ_PARALLEL at a time); fails on any crash.
fuzz: build-fuzz
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_PARALLEL=$(FUZZ_PARALLEL) bash fuzz/run.sh $(FUZZ_BUILD) fuzz

# Adds the inputs the last `make fuzz` found that reach new edges to the committed corpus.
fuzz-merge: build-fuzz
	bash fuzz/run.sh $(FUZZ_BUILD) merge

# The Lambda package first: the CDK app's synth test then bundles the real worker.
test-release: build lambda-zip
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-asan: build-asan
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --output-on-failure -j $(JOBS)

test: test-release test-asan

demo: build
	./$(BUILD)/csv2ddb run examples/ev_population_sample.csv --mapping examples/ev_population.toml \
	  --target sqlite://csv2ddb.sqlite --name demo-$$(date +%Y%m%dT%H%M%S)

# The Debian package, build/csv2ddb_<version>_amd64.deb (cmake/packaging.cmake):
# `apt-get install ./build/csv2ddb_*_amd64.deb` installs it with its libraries.
package: build
	cd $(BUILD) && cpack -G DEB

# The Lambda package deploy/ uses (bundled libraries and loader: runs on glibc 2.34).
lambda-zip: build
	python3 scripts/package_lambda.py --arch x86_64 $(BUILD)/csv2ddb examples/ev_population.toml $(BUILD)/lambda/csv2ddb-lambda.zip

bench: build
	@bash deps/install.sh deps/apt-bench.txt
	bash bench/run.sh

format:
	clang-format -i $$(git ls-files 'src/*.cc' 'src/*.h')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
