#!/usr/bin/env bash
# Sets up a fresh Debian machine for whisper-drill: the tools the drill and the tests use
# (git-lfs, ffmpeg; tmux for the terminal tests; openssh for the ssh-remote tests; promtool,
# ansible-playbook and xmllint for the tests of what deploy/ ships and of junit.xml; tinyproxy for the
# tests through a proxy; nginx as the benchmark's object storage), the npm dependencies, and the build.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v git-lfs >/dev/null 2>&1 || missing+=(git-lfs)
command -v ffmpeg >/dev/null 2>&1 || missing+=(ffmpeg)
command -v tmux >/dev/null 2>&1 || missing+=(tmux)
# The ssh-remote tests run a loopback sshd and the ssh client tools.
[ -x /usr/sbin/sshd ] || missing+=(openssh-server)
command -v ssh-keyscan >/dev/null 2>&1 || missing+=(openssh-client)
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)          # promtool: check metrics, test rules
command -v ansible-playbook >/dev/null 2>&1 || missing+=(ansible-core) # the fleet playbook's test
command -v xmllint >/dev/null 2>&1 || missing+=(libxml2-utils)        # junit.xml against the JUnit XSD
command -v openssl >/dev/null 2>&1 || missing+=(openssl)              # throwaway CAs for the HTTPS tests
[ -x /usr/sbin/nginx ] || missing+=(nginx-light)                     # npm run bench: object storage over HTTPS
command -v tinyproxy >/dev/null 2>&1 || missing+=(tinyproxy)          # the proxy the remote tests go through
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "Installing ${missing[*]} (apt-get)…"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "Missing: ${missing[*]}. Install them as root: apt-get update && apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

npm ci --no-audit --no-fund
npm run build
