#!/usr/bin/env bash
# `make test-update`: builds the desktop app twice — version N (the workspace version) and N+1
# (the next patch version) — with a throwaway signing key, signs N+1, and runs
# tests/tests/update.rs: N, installed as a raw binary, updates itself from a local tandem-server
# and N+1 must run with N's data and unsent outbox. Both builds reuse target/ (only the app
# crate is rebuilt, because TAURI_CONFIG changes the version and the public key).
set -euo pipefail
cd "$(dirname "$0")/.."
FEATURES=(--features tandem-app/custom-protocol)
work=$(mktemp -d "${TMPDIR:-/tmp}/tandem-update.XXXXXX")
trap 'rm -rf "$work"' EXIT

version=$(cargo metadata --no-deps --format-version 1 | node -e '
  let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
    const app = JSON.parse(s).packages.find((p) => p.name === "tandem-app");
    process.stdout.write(app.version);
  });')
next=$(node -e 'const [a, b, c] = process.argv[1].split(".").map(Number); process.stdout.write(`${a}.${b}.${c + 1}`)' "$version")
echo "test-update: N = $version, N+1 = $next" >&2

# A throwaway key pair: the real release key never leaves the release pipeline's secrets.
password=test-update-password
npx tauri signer generate -w "$work/update.key" -p "$password" --ci -f >/dev/null
pubkey=$(cat "$work/update.key.pub")
config() { printf '{"version":"%s","plugins":{"updater":{"pubkey":"%s"}}}' "$1" "$pubkey"; }

cargo build -p tandem-server
TAURI_CONFIG="$(config "$version")" cargo build -p tandem-app "${FEATURES[@]}"
cp target/debug/tandem-app "$work/tandem-app-$version"
TAURI_CONFIG="$(config "$next")" cargo build -p tandem-app "${FEATURES[@]}"
cp target/debug/tandem-app "$work/tandem-app-$next"

# The signature binds the version it was made for (the app requires that).
sign() { npx tauri signer sign -f "$work/update.key" -p "$password" --app-version "$next" "$1" >/dev/null; }
sign "$work/tandem-app-$next"
# A valid signature of another file: what a tampered or mixed-up artifact looks like.
cp "$work/tandem-app-$version" "$work/not-the-release"
sign "$work/not-the-release"

export TANDEM_UPDATE_APP_N="$work/tandem-app-$version"
export TANDEM_UPDATE_APP_NEXT="$work/tandem-app-$next"
export TANDEM_UPDATE_SIG="$work/tandem-app-$next.sig"
export TANDEM_UPDATE_BAD_SIG="$work/not-the-release.sig"
export TANDEM_UPDATE_N_VERSION="$version"
export TANDEM_UPDATE_NEXT_VERSION="$next"
xvfb-run -a -s "-screen 0 1280x800x24" scripts/with-keyring.sh \
  cargo test --workspace "${FEATURES[@]}" --test update -- --ignored --nocapture
