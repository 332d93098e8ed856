#!/usr/bin/env bash
# Installs the system packages gopfarm builds and runs with, when they are missing.
#   deploy/install-deps.sh          build + run deps (libav*, libzmq, OpenSSL, pkg-config)
#   deploy/install-deps.sh --test   also the ffmpeg CLI (the tests' independent oracle), python3 (bench/fuzz.py) and
#                                   prometheus (promtool checks deploy/monitoring/alerts.yml)
#   deploy/install-deps.sh --report also Chromium, for bench/report-screenshot.sh (PNGs of HTML reports)
# The options combine (--test --report).
# Debian 12 (bookworm). Needs root (or sudo) only when something is missing.
set -euo pipefail

packages=(pkg-config libavcodec-dev libavformat-dev libavutil-dev libswscale-dev libswresample-dev libavfilter-dev libssl-dev libzmq3-dev libsqlite3-dev)
for option in "$@"; do
    case $option in
        --test) packages+=(ffmpeg python3 prometheus) ;;
        --report) packages+=(chromium) ;;
        *) echo "usage: $0 [--test] [--report]" >&2; exit 2 ;;
    esac
done

# The dashboard's browser test (Tests/IntegrationTests/DashboardBrowserTests.swift): Chromium, its
# driver, and selenium from PyPI (Debian 12's pip installs into the system Python only when told to).
selenium=""
for option in "$@"; do
    if [[ $option == --test ]]; then packages+=(chromium chromium-driver python3-pip); selenium=1; fi
done
install_selenium() {
    if [[ -n $selenium ]] && ! python3 -c "import selenium, m3u8" 2>/dev/null; then
        echo "installing: selenium m3u8 (PyPI)" >&2
        python3 -m pip install --quiet --break-system-packages "selenium>=4.11" "m3u8>=6" 2>/dev/null || python3 -m pip install --quiet "selenium>=4.11" "m3u8>=6"
    fi
}
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [[ ${#missing[@]} -eq 0 ]]; then
    install_selenium
    exit 0
fi
echo "installing: ${missing[*]}" >&2
sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
install_selenium
