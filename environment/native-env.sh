# Sourced (not run) by launch-kernel.sh and train.sh: the process environment ND4J's natives run best
# in, set before the JVM starts; a value the user already set wins. docs/performance.md has the figures.
#
# OMP_WAIT_POLICY: ND4J's OpenMP threads (libgomp) spin while they wait for each other unless told
# otherwise; when anything else wants the cores (the browser, Jupyter's server, another kernel) a
# spinning thread holds a core the other needs, and a training step took 8.5 s instead of 2.0 s
# (batch 32), 3.2 s instead of 0.3 s (batch 4), on a 2-core machine with one other busy process.
# libgomp reads it when it loads. (The library sets it too, for other launchers.)
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"

# tcmalloc (Debian's libtcmalloc-minimal4, which install-packages.sh installs) instead of glibc's
# malloc, where it is installed, unless GPTCOURSE_MALLOC=glibc. ND4J allocates every array with malloc;
# glibc hands freed pages back to the OS and each fresh page costs a page fault (14 us a page on these
# virtual machines: a 64 KB array took 0.25 ms to allocate, 0.02 ms with tcmalloc). With tcmalloc
# keeping its pages (TCMALLOC_RELEASE_RATE=0), TrainBench's peak resident size fell from 1.18 to 0.97 GB
# in training and from 1.42 to 0.98 GB in evaluate(), and a batch-32 step from 0.63 to 0.60 s.
if [[ "${GPTCOURSE_MALLOC:-tcmalloc}" != glibc ]]; then
  for gptcourse_tcmalloc in /usr/lib/*-linux-gnu/libtcmalloc_minimal.so.4 /usr/lib64/libtcmalloc_minimal.so.4; do
    if [[ -f "$gptcourse_tcmalloc" ]]; then
      case ":${LD_PRELOAD:-}:" in
        *":$gptcourse_tcmalloc:"*) ;;
        *) export LD_PRELOAD="$gptcourse_tcmalloc${LD_PRELOAD:+:$LD_PRELOAD}" ;;
      esac
      export TCMALLOC_RELEASE_RATE="${TCMALLOC_RELEASE_RATE:-0}"
      break
    fi
  done
  unset gptcourse_tcmalloc
fi
