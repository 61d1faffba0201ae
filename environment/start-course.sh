#!/usr/bin/env bash
# Launches the course: installs what is missing (Debian/Ubuntu: apt, via install-packages.sh), builds
# the library and kernel, installs the "Java (gptcourse)" kernelspec for this user, and opens the
# student copies (notebooks/student/) in JupyterLab on 127.0.0.1, printing the URL with its token.
#
#   environment/start-course.sh [FOLDER] [--instructor] [--port N] [--no-browser]
#                               [--frontend auto|installed|built|classic] [--skip-build] [--dry-run]
#
#   FOLDER        the folder to open (default notebooks/student/, the copies students work in);
#                 it must exist
#   --instructor  open the instructor copies in notebooks/ (with solutions) instead
#   --port N      the port (default 8888; the next free one if taken)
#   --no-browser  print the URL only
#   --frontend    auto (default): an installed JupyterLab (`jupyter lab`) if there is one, else the
#                 course's JupyterLab 3.6 build (environment/jupyterlab/build.sh: built once from
#                 pinned npm packages, cached, served by Debian's jupyter-server), else the classic
#                 Notebook, saying why
#   --skip-build  use the kernel already built (no Maven build)
#   --dry-run     say what would be opened and how, then stop (installs and builds nothing)
#
# Run as root, it says what that means and passes --allow-root. The Python that serves the
# JupyterLab build is /usr/bin/python3 (Debian's packages), or $GPTCOURSE_PYTHON.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
py="${GPTCOURSE_PYTHON:-/usr/bin/python3}"   # Debian's Jupyter packages live on it; another python3 may be first on PATH
dir=""
instructor=0
port=8888
frontend=auto
dry_run=0
browser=1
kernel_args=()
usage() { sed -n '2,24p' "$0"; }
die() { echo "start-course.sh: $*" >&2; exit 2; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --port) port="${2:-}"; [[ "$port" =~ ^[0-9]+$ && "$port" -ge 1 && "$port" -le 65535 ]] || die "--port needs a number from 1 to 65535, got '${2:-}'"; shift 2 ;;
    --no-browser) browser=0; shift ;;
    --instructor) instructor=1; shift ;;
    --frontend) frontend="${2:-}"; shift 2 || shift ;;
    --dry-run) dry_run=1; shift ;;
    --skip-build) kernel_args=(--skip-build); shift ;;
    -h|--help) usage; exit 0 ;;
    -*) die "unknown option '$1' (try --help)" ;;
    *) [[ -z "$dir" ]] || die "one folder only (got '$dir' and '$1')"; dir="$1"; shift ;;
  esac
done
case "$frontend" in auto|installed|built|classic) ;; *) die "--frontend must be auto, installed, built or classic, got '$frontend'" ;; esac
if [[ -n "$dir" && $instructor -eq 1 ]]; then
  die "give a FOLDER or --instructor, not both"
fi
if [[ -z "$dir" ]]; then
  if [[ $instructor -eq 1 ]]; then dir="$root/notebooks"; else dir="$root/notebooks/student"; fi
fi
[[ -e "$dir" ]] || die "the folder '$dir' does not exist (nothing opened; the default is notebooks/student/, --instructor opens notebooks/)"
[[ -d "$dir" ]] || die "'$dir' is not a folder (give the folder that holds the notebooks)"
[[ -r "$dir" && -x "$dir" ]] || die "the folder '$dir' cannot be read by $(id -un)"
dir="$(cd "$dir" && pwd)"

allow_root=()
if [[ $(id -u) -eq 0 ]]; then
  cat >&2 <<'EOF'
start-course.sh: WARNING: running as root. Every notebook cell then runs as root: code in a
  notebook (yours, or one someone sent you) can change anything on this machine, and the files the
  course writes (runs/, checkpoints, the kernelspec) belong to root. Run it as an ordinary user
  unless this is a throwaway container. Continuing with Jupyter's --allow-root.
EOF
  allow_root=(--allow-root)
fi

# The `jupyter` (on PATH, else Debian's) that has the subcommand $1 ("lab": a JupyterLab of the
# user's own, pip, conda or the Docker image's; "notebook": the classic Notebook).
jupyter_with() {
  local j
  for j in jupyter /usr/bin/jupyter; do
    if command -v "$j" >/dev/null 2>&1 && "$j" "$1" --version >/dev/null 2>&1; then echo "$j"; return 0; fi
  done
  return 1
}
installed_lab() { jupyter_with lab; }
classic_notebook() { jupyter_with notebook; }
# Why the course's JupyterLab build cannot be served here (empty when it can).
lab_server_problem() {
  "$py" - <<'EOF' 2>/dev/null || echo "no usable $py (it needs Debian's jupyter-server and python3-jupyterlab-server)"
import sys
try:
    import jupyter_server, jupyterlab_server
except ImportError as e:
    print("%s lacks %s (Debian: apt-get install jupyter-server python3-jupyterlab-server)" % (sys.executable, e.name))
    sys.exit(0)
major = int(jupyter_server.__version__.split(".")[0])
if major not in (1, 2):
    print("JupyterLab 3.6 needs jupyter-server 1 or 2, found %s" % jupyter_server.__version__)
EOF
}

choose_frontend() {
  # Prints "installed", "built" or "classic"; says why on stderr when it falls back.
  if [[ $frontend == auto || $frontend == installed ]]; then
    if installed_lab >/dev/null; then echo installed; return; fi
    [[ $frontend == auto ]] || { echo "start-course.sh: --frontend installed: no 'jupyter lab' here" >&2; return 1; }
  fi
  if [[ $frontend == auto || $frontend == built ]]; then
    local problem
    problem="$(lab_server_problem)"
    if [[ -z "$problem" ]]; then echo built; return; fi
    [[ $frontend == auto ]] || { echo "start-course.sh: --frontend built: $problem" >&2; return 1; }
    echo "start-course.sh: cannot serve the course's JupyterLab build: $problem" >&2
  fi
  echo classic
}

if [[ $dry_run -eq 0 ]]; then
  "$here/install-packages.sh" --launch
fi
choice="$(choose_frontend)" || exit 1
if [[ $dry_run -eq 1 ]]; then
  echo "start-course.sh: would open $dir with $(case "$choice" in
    installed) echo "the installed JupyterLab ($(installed_lab) lab)" ;;
    built) echo "the course's JupyterLab 3.6 build, served by $py environment/jupyterlab/serve.py" ;;
    classic) echo "the classic Notebook" ;;
  esac) on 127.0.0.1, port $port${allow_root:+, with --allow-root}"
  exit 0
fi

"$here/install-kernel.sh" "${kernel_args[@]}"

build=""
if [[ $choice == built ]]; then
  if build="$("$here/jupyterlab/build.sh" | tail -1)" && [[ -n "$build" ]]; then
    :
  elif [[ $frontend == built ]]; then
    echo "start-course.sh: building JupyterLab's front end failed (see above)" >&2
    exit 1
  else
    echo "start-course.sh: building JupyterLab's front end failed (see above); opening the classic Notebook instead" >&2
    choice=classic
  fi
fi
if [[ $choice == classic ]] && ! classic_notebook >/dev/null; then
  echo "start-course.sh: no JupyterLab and no classic Notebook could be set up. Install one, then run this again:" >&2
  echo "  sudo apt-get install jupyter-server python3-jupyterlab-server nodejs npm   (or: python3 -m pip install --user jupyterlab)" >&2
  exit 1
fi
if [[ $choice == classic ]]; then
  echo "start-course.sh: the classic Notebook is the last fallback: the course is written for JupyterLab" >&2
fi

server_args=(--ip=127.0.0.1 --port="$port" "${allow_root[@]}")
[[ $browser -eq 1 ]] || server_args+=(--no-browser)
echo "Opening $dir on 127.0.0.1 port $port (the URL with its token is printed below)..."
cd "$dir"
case "$choice" in
  installed) exec "$(installed_lab)" lab "${server_args[@]}" ;;
  built) exec "$py" "$here/jupyterlab/serve.py" --build "$build" "${server_args[@]}" ;;
  classic) exec "$(classic_notebook)" notebook "${server_args[@]}" ;;
esac
