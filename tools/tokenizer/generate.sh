#!/usr/bin/env bash
# Regenerates GPT-2's tokenizer.json (Hugging Face format) from the BPE ranks in jtokkit
# (r50k_base, MIT licensed). The test Gpt2TokenizerJsonTest fails if the committed file differs.
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -B -q -pl lib compile exec:java \
  -Dexec.mainClass=gptcourse.data.Gpt2TokenizerJson \
  -Dexec.args="$PWD/lib/src/main/resources/gptcourse/data/gpt2-tokenizer.json"
