#!/usr/bin/env bash
# Lints the deploy template offline with cfn-lint (from PyPI, installed once into a venv).
#
#   scripts/check-template.sh                 # lints deploy/template.yaml
#   scripts/check-template.sh path/to/t.yaml  # lints other templates
#
# Settings (environment):
#   CFN_LINT_DIR  install directory (default /tmp/chatbridge-cfn-lint)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

DIR="${CFN_LINT_DIR:-/tmp/chatbridge-cfn-lint}"
CFN_LINT_VERSION="1.58.0"
# Pinned too: the SAM transform cfn-lint applies, so that a new release cannot change the verdict.
SAM_TRANSLATOR_VERSION="1.115.0"

log() { echo "check-template: $*" >&2; }

if [[ ! -x "$DIR/venv/bin/cfn-lint" ]] || ! "$DIR/venv/bin/cfn-lint" --version 2>/dev/null | grep -q "$CFN_LINT_VERSION"; then
    log "installing cfn-lint==$CFN_LINT_VERSION from PyPI into $DIR/venv"
    [[ -x "$DIR/venv/bin/pip" ]] || python3 -m venv "$DIR/venv"
    "$DIR/venv/bin/pip" install --quiet --disable-pip-version-check \
        "cfn-lint==$CFN_LINT_VERSION" "aws-sam-translator==$SAM_TRANSLATOR_VERSION" >&2
fi

templates=("$@")
[[ ${#templates[@]} -gt 0 ]] || templates=(deploy/template.yaml)
# The region only selects the resource specification; nothing is contacted.
"$DIR/venv/bin/cfn-lint" --regions us-east-1 -- "${templates[@]}"
log "ok: ${templates[*]}"
