# Tandem — the commands a developer and CI use. See README.md.
#
#   make run     install what is missing, build the UI, start the desktop app (local workspace)
#   make test    every test: lint, UI unit tests, Rust unit tests, PostgreSQL server tests,
#                end-to-end sync with two devices, and the desktop app driven over WebDriver
#   make server  run tandem-server against $DATABASE_URL on 127.0.0.1:8080
#   make bench   the benchmark suite in release mode (SCALE=0.1 for a tenth of the data)
#   make test-update  build the app as version N and N+1, and let N update itself to N+1 from a
#                local tandem-server (signature refusal, staged rollout, data and outbox kept)
#   make package the Linux bundles (.deb, .rpm) in target/release/bundle; signed updater
#                artifacts too when TAURI_SIGNING_PRIVATE_KEY(_PASSWORD) is set
#   make soak    the sync simulation over many seeds (SEEDS=N, default 100); names a failing seed

SHELL := /bin/bash
# One feature set everywhere, so Tauri is compiled once: the app embeds ui/dist.
FEATURES := --features tandem-app/custom-protocol
CARGO ?= cargo
export CARGO_TERM_COLOR ?= never

.PHONY: run test test-update package deps deps-test ui ui-deps tauri-cli build lint fmt test-rust test-ui server bench soak clean

run: deps ui
	$(CARGO) run -p tandem-app $(FEATURES)

deps:
	scripts/install-deps.sh

deps-test:
	scripts/install-deps.sh --test

ui-deps: ui/node_modules/.package-lock.json

# The Tauri CLI (npx tauri: icons, bundles).
tauri-cli: node_modules/.package-lock.json

ui/node_modules/.package-lock.json: ui/package-lock.json
	npm ci --prefix ui --no-audit --no-fund

# `npm install`, not `npm ci`: the lock holds only the CLI builds this registry serves.
node_modules/.package-lock.json: package-lock.json
	npm install --no-audit --no-fund

# licenses.json (the About view's list of bundled dependencies) is generated, never committed.
ui: ui-deps
	node scripts/licenses.mjs
	npm --prefix ui run build

build: ui
	$(CARGO) build --workspace --all-targets $(FEATURES)

lint: ui-deps
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets $(FEATURES) -- -D warnings
	npm --prefix ui run typecheck
	npm --prefix ui run lint

fmt:
	$(CARGO) fmt --all

test-ui: ui-deps
	npm --prefix ui test

# Xvfb for the desktop test; a private D-Bus session with an unlocked keyring for the tokens.
test-rust: build
	xvfb-run -a -s "-screen 0 1280x800x24" scripts/with-keyring.sh $(CARGO) test --workspace $(FEATURES)

test: deps-test ui lint test-ui test-rust

server:
	$(CARGO) run -p tandem-server -- serve --listen 127.0.0.1:8080

test-update: deps-test ui tauri-cli
	scripts/test-update.sh

# AppImage is built by the release workflow only (its tools are downloaded from GitHub).
package: deps ui tauri-cli
	npx tauri build --bundles deb,rpm $(if $(TAURI_SIGNING_PRIVATE_KEY),,--config '{"bundle":{"createUpdaterArtifacts":false}}')

# The benchmark suite: 1 = the `tandem-server seed` data set of 40,000 accounts (~1M rows).
# Prints a table and writes target/bench/results.json; goals are shown, not asserted. Xvfb for
# the desktop app's cold start and idle memory (target/release/tandem-app, built if missing);
# installer_mb reads the .deb of `make package`. See BENCHMARKS.md.
SCALE ?= 1
bench:
	$(CARGO) build --release -p tandem-server -p tandem-bench
	if [ ! -x target/release/tandem-app ]; then $(MAKE) ui && $(CARGO) build --release -p tandem-app $(FEATURES); fi
	TANDEM_SERVER_BIN=target/release/tandem-server xvfb-run -a -s "-screen 0 1280x800x24" scripts/with-keyring.sh target/release/tandem-bench --scale $(SCALE)

# The sync simulation (tests/tests/simulation.rs) over more seeds than `make test` runs; a
# failure starts with "simulation seed N failed:". Rerun one seed with TANDEM_SIM_SEED=N.
SEEDS ?= 100
soak: build
	TANDEM_SIM_SEEDS=$(SEEDS) xvfb-run -a scripts/with-keyring.sh $(CARGO) test --workspace $(FEATURES) --test simulation -- --nocapture

clean:
	$(CARGO) clean
	rm -rf ui/dist ui/node_modules node_modules
