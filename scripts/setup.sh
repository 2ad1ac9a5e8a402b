#!/usr/bin/env bash
# Sets up a fresh Debian machine for whisper-drill.
#
#   ./scripts/setup.sh          what a drill needs: git-lfs and ffmpeg, the npm dependencies, the build.
#                               Nothing that serves: this is what an operator runs on a GPU node.
#   ./scripts/setup.sh --test   also the tools the tests use: tmux (the terminal tests), openssh (the ssh
#                               remote), promtool and ansible-playbook (what deploy/ ships), xmllint
#                               (junit.xml), openssl (throwaway CAs), tinyproxy (the proxy tests), zsh and
#                               fish (the completion scripts), nginx (the benchmark's object storage) and
#                               chromium (report.html in a real browser).
#                               Debian starts the servers it installs;
#                               here none is started: the tests run their own, on loopback ports of their own.
set -euo pipefail
cd "$(dirname "$0")/.."

tests=false
case "${1:-}" in
  --test) tests=true ;;
  "") ;;
  *) echo "usage: $0 [--test]" >&2; exit 2 ;;
esac

missing=()
command -v git-lfs >/dev/null 2>&1 || missing+=(git-lfs)
command -v ffmpeg >/dev/null 2>&1 || missing+=(ffmpeg)
if $tests; then
  command -v tmux >/dev/null 2>&1 || missing+=(tmux)
  [ -x /usr/sbin/sshd ] || missing+=(openssh-server)
  command -v ssh-keyscan >/dev/null 2>&1 || missing+=(openssh-client)
  command -v promtool >/dev/null 2>&1 || missing+=(prometheus)          # promtool: check metrics, test rules
  command -v ansible-playbook >/dev/null 2>&1 || missing+=(ansible-core) # the fleet playbook's test
  command -v xmllint >/dev/null 2>&1 || missing+=(libxml2-utils)        # junit.xml against the JUnit XSD
  command -v openssl >/dev/null 2>&1 || missing+=(openssl)              # throwaway CAs for the HTTPS tests
  [ -x /usr/sbin/nginx ] || missing+=(nginx-light)                     # npm run bench: object storage over HTTPS
  command -v tinyproxy >/dev/null 2>&1 || missing+=(tinyproxy)          # the proxy the remote tests go through
  command -v zsh >/dev/null 2>&1 || missing+=(zsh)                      # the completion scripts, in the shells
  command -v fish >/dev/null 2>&1 || missing+=(fish)
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)            # report.html opened, measured and printed in a real browser
fi

if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "Missing: ${missing[*]}. Install them as root: apt-get update && apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "Installing ${missing[*]} (apt-get)…"
  # Debian starts a package's service when it is installed (nginx on port 80, a Prometheus server, an sshd,
  # a proxy). policy-rc.d answering 101 ("action forbidden") keeps every one of them stopped; it is removed
  # again, whatever happens, so later installs behave as usual.
  policy=/usr/sbin/policy-rc.d
  if [ ! -e "$policy" ]; then
    trap 'rm -f "$policy"' EXIT
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

npm ci --no-audit --no-fund
npm run build
