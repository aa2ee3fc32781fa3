#!/usr/bin/env bash
# Set up this checkout on a Debian machine: system packages, a virtualenv, pinned Python packages.
# Usage: scripts/setup.sh [run|dev]   (idempotent: a second run only checks)
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-run}"

# WeasyPrint renders the PDF with Pango (on Debian's base image) and subsets fonts with HarfBuzz.
apt_packages=(python3-venv libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core)
if [ "$mode" = dev ]; then
  # Browser tests drive Debian's Chromium; DejaVu gives them a real font; storage tests start
  # private PostgreSQL 15 clusters.
  # pdftotext and pdftoppm check the PDF's text and pages.
  apt_packages+=(chromium postgresql-15 poppler-utils)
fi

missing=()
for package in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing Debian packages: ${missing[*]}"
  if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

python=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$python" -m venv .venv

requirements=requirements.txt
[ "$mode" = dev ] && requirements=requirements-dev.txt
stamp=".venv/.installed-$(cat requirements*.txt | sha256sum | cut -c1-16)-$mode"
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -r "$requirements"
  touch "$stamp"
fi
