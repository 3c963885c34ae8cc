#!/usr/bin/env bash
# Installs what Tandem needs on Debian/Ubuntu, and only what is missing.
#   scripts/install-deps.sh          build and run the desktop app
#   scripts/install-deps.sh --test   also what `make test` needs (PostgreSQL, Xvfb, WebDriver, keyring)
set -euo pipefail

build_pkgs=(build-essential pkg-config libwebkit2gtk-4.1-dev libsoup-3.0-dev libjavascriptcoregtk-4.1-dev
  librsvg2-dev libayatana-appindicator3-dev libgtk-3-dev libxdo-dev libssl-dev libdbus-1-dev)
test_pkgs=(postgresql xvfb webkit2gtk-driver dbus dbus-x11 gnome-keyring libsecret-tools hledger poppler-utils)

want=("${build_pkgs[@]}")
if [[ "${1:-}" == "--test" ]]; then
  want+=("${test_pkgs[@]}")
fi

if ! command -v dpkg >/dev/null 2>&1; then
  echo "install-deps: not a Debian/Ubuntu system; install the packages listed in README.md by hand" >&2
  exit 0
fi

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  sudo=""
  if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

for tool in cargo node npm; do
  command -v "$tool" >/dev/null 2>&1 || { echo "install-deps: $tool is missing (see README.md: Rust via rustup, Node.js 20+)" >&2; exit 1; }
done

if [[ "${1:-}" == "--test" ]] && ! command -v tauri-driver >/dev/null 2>&1; then
  echo "install-deps: installing tauri-driver"
  cargo install tauri-driver --locked --version 2.1.0 --quiet
fi
