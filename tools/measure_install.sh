#!/usr/bin/env bash
# Size and install time of the two installs into a fresh venv each: a student's (`make install-lab`,
# what `make lab` installs) and the full one (`make install`, what `make test` installs: the test and
# grading extras too). Both through the Makefile, in a temporary folder. Installs from pip's cache
# once it is warm: run this twice and read the second run (the first one may download).
#
#   tools/measure_install.sh            # prints one line per install: MB and seconds
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "python: $(python3 --version 2>&1), $(uname -m); pip cache: $(python3 -m pip cache dir 2>/dev/null || echo unknown)"
for target in install-lab install; do
    venv="$tmp/venv-$target"
    start=$(date +%s)
    make --no-print-directory "$target" VENV="$venv" >"$tmp/$target.log" 2>&1 || { cat "$tmp/$target.log"; exit 1; }
    seconds=$(( $(date +%s) - start ))
    printf 'make %-12s %5d MB  %4d s  (venv, pip upgrade and install)\n' "$target" "$(du -sm "$venv" | cut -f1)" "$seconds"
done
