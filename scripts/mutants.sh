#!/usr/bin/env bash
# Mutation testing (cargo-mutants) of the rules a mistake in which would hurt most: who a token
# acts as (server auth), what an import may hold, permissions and scopes, expiry. Each file is
# mutated in turn and checked against the tests that exercise it (in the root crate's `it`
# binary). Not run by CI: it rebuilds once per mutant (about 10 s each here).
#
#   scripts/mutants.sh            # all four files; results under target/mutants/
#
# Mutants are applied in place (the tree is restored after each); commit or stash first.
# `--baseline=skip`: cargo-mutants 27 runs the unmutated baseline in the mutated package only,
# which has no `it` tests; `cargo test` must pass before you start.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v cargo-mutants >/dev/null || cargo install cargo-mutants --locked
cargo test --test it --no-run >/dev/null
out=target/mutants
mkdir -p "$out"
run() { # package file test-filters...
  local pkg=$1 file=$2; shift 2
  cargo mutants --in-place --no-shuffle -p "$pkg" -f "$file" --test-package=satui --baseline=skip --timeout=180 \
    -o "$out/$(basename "$file" .rs)" -- --test it -- "$@"
}
run satui-server auth.rs server api_contract
run satui-service import_rules.rs transfer import_fuzz api_contract plugins
run satui-domain permission.rs permissions catalog roles_groups plugins
run satui-domain expiry.rs expiry lifecycle tokens upkeep
