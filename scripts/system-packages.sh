#!/usr/bin/env bash
# Installs the Debian packages the portal needs that pip cannot bring.
#   scripts/system-packages.sh run    what serving the portal needs
#   scripts/system-packages.sh test   that, plus what the test suite needs (Chromium, poppler, Node.js and npm)
#   scripts/system-packages.sh bench  what serving needs, plus the load generator of bench/load.py (wrk)
# As root it installs what is missing with apt-get; otherwise it names what to install and stops.
set -euo pipefail

# WeasyPrint (PDF handouts) needs Pango and local fonts; libharfbuzz-subset0 makes it about 2.5x faster.
run_packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core)
test_packages=(chromium poppler-utils nodejs)  # and npm (below), which installs axe-core for the browser tests
bench_packages=(wrk)

case "${1:-}" in
  run) wanted=("${run_packages[@]}") ;;
  test) wanted=("${run_packages[@]}" "${test_packages[@]}") ;;
  bench) wanted=("${run_packages[@]}" "${bench_packages[@]}") ;;
  *) echo "usage: $0 run|test|bench" >&2; exit 2 ;;
esac

if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
  wanted+=(python3-venv)
fi

# Debian ships npm apart from nodejs; NodeSource's nodejs brings its own, so only ask for it when it is absent.
if [ "${1:-}" = test ] && ! command -v npm >/dev/null; then
  wanted+=(npm)
fi

missing=()
for package in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null; then
  echo "Please install these system packages with your package manager: ${missing[*]}" >&2
  exit 1
fi
if [ "$(id -u)" != 0 ]; then
  echo "Missing system packages: ${missing[*]}" >&2
  echo "Install them with: sudo apt-get install ${missing[*]}   (then run the same make command again)" >&2
  exit 1
fi
echo "Installing system packages: ${missing[*]}"
apt-get update -q
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
