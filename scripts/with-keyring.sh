#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked Secret Service keyring
# (gnome-keyring), so the app and the CLI keep their tokens in a real OS keyring during tests
# without touching the user's own.
set -euo pipefail
exec dbus-run-session -- bash -c '
  eval "export $(echo -n tandem-test | gnome-keyring-daemon --unlock --components=secrets)"
  exec "$@"' bash "$@"
