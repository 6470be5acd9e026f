#!/usr/bin/env bash
# The check step of the policycheck GitHub Action (action.yml), kept here so tests can run it.
#
# Inputs (environment):
#   INPUT_PATHS       policy files or globs, separated by whitespace or newlines (required);
#                     ** spans directories; a pattern that matches nothing is an error
#   INPUT_REQUIRE     comma-separated element ids that must pass (empty: the config file / all)
#   INPUT_FAIL_ON     absent | uncertain (empty: the config file / absent)
#   INPUT_SARIF_FILE  where to write the SARIF log (default: $RUNNER_TEMP/policycheck.sarif)
#   POLICYCHECK       the command to run (default: policycheck)
# It writes the SARIF log, prints GitHub annotations and the readable report, appends the
# Markdown summary to $GITHUB_STEP_SUMMARY (policycheck does that), sets the step outputs
# sarif-file and exit-code in $GITHUB_OUTPUT, and exits with policycheck's exit code:
# 0 passed, 1 gaps, 2 could not run.
set -uo pipefail
shopt -s globstar nullglob

policycheck=${POLICYCHECK:-policycheck}
sarif=${INPUT_SARIF_FILE:-${RUNNER_TEMP:-.}/policycheck.sarif}
output=${GITHUB_OUTPUT:-/dev/null}

options=()
if [ -n "${INPUT_REQUIRE:-}" ]; then options+=(--require "$INPUT_REQUIRE"); fi
if [ -n "${INPUT_FAIL_ON:-}" ]; then options+=(--fail-on "$INPUT_FAIL_ON"); fi

set -f  # split the input on whitespace without expanding it yet
patterns=(${INPUT_PATHS:-})
set +f
files=()
declare -A seen=()
for pattern in ${patterns[@]+"${patterns[@]}"}; do
  matches=($pattern)
  if [ ${#matches[@]} -eq 0 ]; then
    echo "::error title=policycheck::no file matches '$pattern'"
    echo "exit-code=2" >>"$output"
    exit 2
  fi
  for file in "${matches[@]}"; do  # a file matched by two patterns is checked once
    if [ -z "${seen[$file]:-}" ]; then
      seen[$file]=1
      files+=("$file")
    fi
  done
done
if [ ${#files[@]} -eq 0 ]; then
  echo "::error title=policycheck::the 'paths' input names no policy file"
  echo "exit-code=2" >>"$output"
  exit 2
fi

# The SARIF run's errors are the same as the annotated run's, so they are printed once.
"$policycheck" check ${options[@]+"${options[@]}"} --format sarif -- "${files[@]}" >"$sarif" 2>/dev/null
sarif_code=$?
"$policycheck" check ${options[@]+"${options[@]}"} --format github -- "${files[@]}"
code=$?
if [ "$sarif_code" -gt "$code" ]; then code=$sarif_code; fi

if [ -s "$sarif" ]; then
  echo "sarif-file=$sarif" >>"$output"
else
  rm -f "$sarif"
fi
echo "exit-code=$code" >>"$output"
exit "$code"
