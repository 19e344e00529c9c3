#!/usr/bin/env bash
# Regenerates docs/pictures/*.svg (and docs/keys.md) from the real render path of the UI: the
# demo store drawn by ui::draw into a TestBackend, turned into SVG. Review the diff, then commit.
set -euo pipefail
cd "$(dirname "$0")/.."
SATUI_UPDATE_DOCS=1 cargo test --test ui -- pictures keys_doc
