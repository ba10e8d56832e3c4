#!/usr/bin/env bash
# Regenerates openapi/crm.v1.json from the running API (via the contract test), then shows the diff.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
CRM_UPDATE_OPENAPI=1 bash eng/test.sh --filter "FullyQualifiedName~OpenApiContractTests"
git --no-pager diff --stat -- openapi/crm.v1.json || true
