#!/usr/bin/env bash
# Installs with apt (Debian/Ubuntu) the system packages the course needs and this machine lacks.
# Used by start-course.sh, test-browser.sh, docker/Dockerfile and test-fresh-debian.sh, so a local
# install, the image and the fresh-machine proof take the same steps.
#
#   environment/install-packages.sh            # to launch: a Java 17 JDK, Maven, and Jupyter unless
#                                              # a `jupyter` with Lab or Notebook is already on PATH;
#                                              # without a `jupyter lab`, what the course's JupyterLab
#                                              # build needs: jupyter-server, python3-jupyterlab-server,
#                                              # Node.js and npm
#   environment/install-packages.sh --browser  # for test-browser.sh: Chromium, Node.js, npm and the
#                                              # servers of both front ends
#
# Runs apt-get through sudo unless root. Does nothing when everything is there; without apt-get it
# names what to install and exits 1.
set -euo pipefail
set_name="launch"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --launch) set_name="launch"; shift ;;
    --browser) set_name="browser"; shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "install-packages.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
done

java_major() {
  # `java -version` prints e.g. 'openjdk version "17.0.15" 2025-04-15' (or "1.8.0_392" on Java 8).
  java -version 2>&1 | sed -n 's/.*version "\([0-9][0-9.]*\).*/\1/p' | head -1 \
    | awk -F. '{ print ($1 == 1) ? $2 : $1 }'
}

has_lab() {
  local j
  for j in jupyter /usr/bin/jupyter; do
    if command -v "$j" >/dev/null 2>&1 && "$j" lab --version >/dev/null 2>&1; then return 0; fi
  done
  return 1
}

# Debian's server packages for the course's JupyterLab build (environment/jupyterlab/serve.py).
lab_server_missing() {
  ! /usr/bin/python3 -c 'import jupyter_server, jupyterlab_server' >/dev/null 2>&1
}

has_jupyter() {
  # Debian's Jupyter lives on /usr/bin/python3, which may not be the python3 first on PATH.
  local j
  for j in jupyter /usr/bin/jupyter; do
    if command -v "$j" >/dev/null 2>&1 \
       && { "$j" lab --version >/dev/null 2>&1 || "$j" notebook --version >/dev/null 2>&1; }; then
      return 0
    fi
  done
  return 1
}

# Two groups, installed in this order: Maven accepts any Java runtime and would otherwise pull the
# distribution's default one (Java 21 on Ubuntu 24.04), which then becomes `java`.
first=()
rest=()
missing_desc=()
if [[ $set_name == launch ]]; then
  major="$(command -v java >/dev/null 2>&1 && java_major || true)"
  if ! command -v javac >/dev/null 2>&1 || [[ -z "$major" || "$major" -lt 17 ]]; then
    first+=(openjdk-17-jdk-headless); missing_desc+=("a Java 17 JDK (java ${major:-none}, javac $(command -v javac >/dev/null && echo found || echo none))")
  fi
  command -v mvn >/dev/null 2>&1 || { rest+=(maven); missing_desc+=("Maven"); }
  if ! has_jupyter; then
    rest+=(jupyter-notebook jupyter-nbconvert python3-nbclient jupyter-client); missing_desc+=("Jupyter (or: python3 -m pip install --user jupyterlab)")
  fi
  if ! has_lab; then
    lab_server_missing && { rest+=(jupyter-server python3-jupyterlab-server); missing_desc+=("Debian's jupyter-server and python3-jupyterlab-server"); }
    command -v node >/dev/null 2>&1 || { rest+=(nodejs); missing_desc+=("Node.js"); }
    command -v npm >/dev/null 2>&1 || { rest+=(npm); missing_desc+=("npm"); }
  fi
else
  if ! command -v chromium >/dev/null 2>&1 && [[ ! -x /usr/bin/chromium ]]; then
    rest+=(chromium); missing_desc+=("Chromium")
  fi
  command -v node >/dev/null 2>&1 || { rest+=(nodejs); missing_desc+=("Node.js"); }
  command -v npm >/dev/null 2>&1 || { rest+=(npm); missing_desc+=("npm"); }
  lab_server_missing && { rest+=(jupyter-server python3-jupyterlab-server); missing_desc+=("Debian's jupyter-server and python3-jupyterlab-server"); }
  /usr/bin/python3 -c 'import notebook' >/dev/null 2>&1 || { rest+=(jupyter-notebook); missing_desc+=("the classic Notebook"); }
fi
# Optional: tcmalloc for the kernel and train.sh (environment/native-env.sh); the course runs without it,
# slower. Installed when apt can run without asking, in a call of its own: its failure (no root, another
# package name on this distribution) is a warning, never a reason to stop.
optional=()
if [[ $set_name == launch ]] && ! ldconfig -p 2>/dev/null | grep -q 'libtcmalloc_minimal\.so\.4'; then
  optional+=(libtcmalloc-minimal4)
fi
if [[ ${#first[@]} -eq 0 && ${#rest[@]} -eq 0 ]]; then
  [[ ${#optional[@]} -eq 0 ]] && exit 0
  if ! command -v apt-get >/dev/null 2>&1 || { [[ $(id -u) -ne 0 ]] && ! sudo -n true >/dev/null 2>&1; }; then
    echo "install-packages.sh: ${optional[*]} (optional: faster training) is not installed; going on without it" >&2
    exit 0
  fi
fi

if [[ ${#first[@]} -gt 0 || ${#rest[@]} -gt 0 ]] && ! command -v apt-get >/dev/null 2>&1; then
  missing="$(printf '%s, ' "${missing_desc[@]}")"
  echo "install-packages.sh: missing ${missing%, } and there is no apt-get here; install them, then run this again" >&2
  exit 1
fi
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null 2>&1 || { echo "install-packages.sh: installing ${first[*]} ${rest[*]} needs root, and sudo is missing; run as root" >&2; exit 1; }
  sudo_cmd=(sudo)
fi
apt_get() { "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "$@" </dev/null; }
echo "Installing from apt: ${first[*]} ${rest[*]} ${optional[*]}"
apt_get update -q
if [[ ${#first[@]} -gt 0 ]]; then
  # Where apt offers no Java 17 (newer distributions), take the default JDK (21 or later; the kernel runs on it).
  if [[ -z "$(apt-cache policy openjdk-17-jdk-headless 2>/dev/null | sed -n 's/ *Candidate: //p' | grep -v '(none)')" ]]; then
    first=(default-jdk-headless)
  fi
  apt_get install -y -q --no-install-recommends "${first[@]}"
fi
if [[ ${#rest[@]} -gt 0 ]]; then
  apt_get install -y -q --no-install-recommends "${rest[@]}"
fi
if [[ ${#optional[@]} -gt 0 ]]; then
  apt_get install -y -q --no-install-recommends "${optional[@]}" \
    || echo "install-packages.sh: could not install ${optional[*]} (optional: faster training); going on without it" >&2
fi
