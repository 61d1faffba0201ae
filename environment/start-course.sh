#!/usr/bin/env bash
# Launches the course on a fresh machine: installs a Java 17 JDK, Maven and Jupyter if they are
# missing (Debian/Ubuntu: apt, via install-packages.sh), builds the kernel and library, installs the "Java (gptcourse)"
# kernelspec for this user, and opens the notebooks folder in JupyterLab (or the classic Notebook),
# printing the URL.
#
#   environment/start-course.sh [NOTEBOOK_DIR] [--port N] [--no-browser]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
dir="$root/notebooks"
port=8888
extra=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --port) port="$2"; shift 2 ;;
    --no-browser) extra+=(--no-browser); shift ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) dir="$1"; shift ;;
  esac
done
[[ -d "$dir" ]] || dir="$root"

find_jupyter() {
  # Debian's Jupyter lives on /usr/bin/python3, which may not be the python3 first on PATH.
  for j in jupyter /usr/bin/jupyter; do
    if command -v "$j" >/dev/null 2>&1 && "$j" --version >/dev/null 2>&1; then
      if "$j" lab --version >/dev/null 2>&1; then echo "$j lab"; return; fi
      if "$j" notebook --version >/dev/null 2>&1; then echo "$j notebook"; return; fi
    fi
  done
}

"$here/install-packages.sh" --launch
app="$(find_jupyter || true)"
if [[ -z "$app" ]]; then
  echo "start-course.sh: no Jupyter found after installing. Install it, then run this again:" >&2
  echo "  python3 -m pip install --user jupyterlab" >&2
  exit 1
fi

"$here/install-kernel.sh"

if [[ $(id -u) -eq 0 ]]; then extra+=(--allow-root); fi  # containers often run as root
echo "Opening $dir with '$app' on port $port (the URL with its token is printed below)..."
cd "$dir"
# shellcheck disable=SC2086
exec $app --port "$port" "${extra[@]}"
