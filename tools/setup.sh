#!/usr/bin/env bash
# Prepares a fresh Debian 12 / Raspberry Pi OS machine for echosim: the system packages it needs,
# the npm dependencies (offline-safe: .npmrc skips onnxruntime's CUDA download) and the build.
# Safe to run again: it only installs what is missing and skips "npm ci" when nothing changed.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'echosim setup: %s\n' "$*" >&2; }

# Node.js 20 or later.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  say "Node.js 20+ and npm are required. On Debian 12: install Node.js 20 from nodejs.org or NodeSource, then run this again."
  exit 1
fi
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 20 ]; then
  say "Node.js $(node --version) is too old; echosim needs Node.js 20 or later."
  exit 1
fi

# System packages: arecord/aplay (ALSA capture and playback, and the capture tests); Mosquitto (the
# broker-compatibility tests start their own instance of it on a free port, with their own config);
# tmux (the terminal tests run `npm start` and `echosim device` in a real pseudo-terminal and read
# the screen back); espeak-ng (the harness's `say` speaks text to a device; its tests run it); chromium
# (the web page tests drive Debian's browser with playwright-core, which downloads no browser of its own);
# systemd (its systemd-analyze verifies the units `echosim service install` writes).
packages=(alsa-utils mosquitto tmux espeak-ng chromium systemd)
# The cloud's second-stage wake-word check: pocketsphinx (pocketsphinx_batch) and its US English model
# (cloud-link/cloud/verification/keyphrase-spotter.ts); `echosim train wakeword` uses it too (the keyphrase
# check and its pronouncing dictionary).
packages+=(pocketsphinx pocketsphinx-en-us)
# `echosim train wakeword` (and its tests): the TTS engines and English voices that speak the training
# clips (espeak-ng, above, and flite, festival and its voices), sox (decodes real speech), unzip (one
# Debian speech package is a zip inside).
packages+=(flite festival festvox-kallpc16k festvox-kdlpc16k festvox-us-slt-hts sox unzip)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    say "please install: ${missing[*]} (no apt-get on this machine)"
    exit 1
  fi
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  say "installing system packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm dependencies, reinstalled only when the lock file changed.
stamp=node_modules/.echosim-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  say "installing npm dependencies"
  # better-sqlite3 compiles when no prebuilt binary can be fetched (offline, or a Node/arch pair it has
  # none for), and node-gyp would then download Node's headers. Point it at the headers installed with
  # Node (Debian, NodeSource and nodejs.org tarballs all ship them) so the install works offline.
  if [ -z "${npm_config_nodedir:-}" ]; then
    node_prefix=$(node -p 'require("path").resolve(process.execPath, "..", "..")')
    if [ -f "$node_prefix/include/node/node.h" ] && [ -f "$node_prefix/include/node/common.gypi" ]; then
      export npm_config_nodedir="$node_prefix"
    fi
  fi
  # "npm install" from the committed lock, not "npm ci": npm 11.16+ rejects its own lock files when an
  # optional platform binary (here unrs-resolver's, via jest) is unpublished (npm/cli#9846). With the
  # lock in sync, "npm install" installs exactly the locked tree and leaves the lock unchanged.
  npm install --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi

say "building"
npm run --silent build
