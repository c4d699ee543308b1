#!/bin/sh
# Reproduces the numbers in bench/RESULTS.md: one JSON line per run on stdout.
# usage: bench/run_cpu_benchmarks.sh [BUILD_DIR]   (default build-engine)
set -eu
bench="${1:-build-engine}/bench/seqseg-bench"
run() { echo "# seqseg-bench $*" >&2; "$bench" "$@" --json; }

run --config tiny --mode train --steps 10 --warmup 2
run --config tiny --mode infer --steps 10 --warmup 2
run --config tiny --mode train --steps 10 --warmup 2 --attention naive
run --config tiny --mode infer --steps 10 --warmup 2 --attention naive
run --config base --mode infer --steps 3
run --config base --mode train --steps 3
# Long sequence at a reduced ROI, so that naive attention (full score matrices) fits 24 GiB.
for attention in naive chunked; do
  run --config long --roi 80 --mode infer --steps 3 --attention "$attention"
  run --config long --roi 80 --mode train --steps 2 --attention "$attention"
done
# The full long preset (32768 tokens): chunked only, naive would need ~17 GiB per score matrix.
run --config long --mode infer --steps 1 --warmup 0
# Sequence parallelism, memory per rank in steady state (bench/RESULTS.md): the second step's peak.
for ranks in 1 2 4; do
  for attention in allgather ring; do
    [ "$ranks" = 1 ] && [ "$attention" = allgather ] && continue  # R = 1: the same code path
    run --config long --mode train --steps 1 --warmup 1 --ranks "$ranks" --attention "$attention"
  done
done
run --config long --mode train --steps 1 --warmup 1 --ranks 4 --attention ring --optimizer replicated
# seqseg against the same model in PyTorch eager (a Markdown table on stdout).
bench/compare-eager --build "${1:-build-engine}" --threads 2 --repeats 3 >&2
