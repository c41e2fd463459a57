#!/bin/sh
# Run one libFuzzer target for SECONDS (default 300), seeded with the repository's own files of
# its format and the committed regression cases. Needs a nightly toolchain and cargo-fuzz:
#   rustup toolchain install nightly && cargo install cargo-fuzz
# Usage: fuzz/libfuzzer/run.sh yaml|yaml_fast|json|hcl|lockfiles|sarif|config [SECONDS]
# Crashes land in fuzz/libfuzzer/artifacts/TARGET/; fuzz/README.md says how to make one a
# regression case.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
target=$1
seconds=${2:-300}
corpus="$here/corpus/$target"
mkdir -p "$corpus"

# Copy the files under the repository's seed folders whose names match into the corpus.
seed() {
    find "$root/examples" "$root/crates" "$root/tests" "$root/fuzz/seeds" "$root/fuzz/regressions" \
        -path '*/target' -prune -o -type f \( "$@" \) -size -64k -print |
        while IFS= read -r f; do
            cp "$f" "$corpus/$(printf '%s' "$f" | cksum | cut -d' ' -f1)"
        done
}

# The lockfiles target reads its kind from the first byte (checks::LOCKFILES order).
seed_lockfile() {
    byte=$1
    shift
    find "$root/examples" "$root/crates/tollgate-deps/tests" "$root/fuzz/seeds/lockfiles" \
        -type f \( "$@" \) -size -64k -print |
        while IFS= read -r f; do
            out="$corpus/$byte-$(printf '%s' "$f" | cksum | cut -d' ' -f1)"
            printf "\\$(printf '%03o' "$byte")" >"$out"
            cat "$f" >>"$out"
        done
}

case "$target" in
yaml | yaml_fast) seed -name '*.yaml' -o -name '*.yml' ;;
json) seed -name '*.json' ;;
hcl) seed -name '*.tf' -o -name '*.tfvars' ;;
sarif) seed -name '*.sarif' ;;
config) seed -name 'tollgate*.toml' -o -name 'default.toml' ;;
lockfiles)
    seed_lockfile 0 -name Cargo.lock
    seed_lockfile 1 -name package-lock.json -o -name npm-shrinkwrap.json
    seed_lockfile 2 -name yarn.lock
    seed_lockfile 3 -name pnpm-lock.yaml
    seed_lockfile 4 -name 'requirements*.txt'
    seed_lockfile 5 -name poetry.lock
    seed_lockfile 6 -name Pipfile.lock
    seed_lockfile 7 -name uv.lock
    seed_lockfile 8 -name pdm.lock
    seed_lockfile 9 -name go.mod
    seed_lockfile 10 -name go.sum
    seed_lockfile 11 -name Gemfile.lock
    seed_lockfile 12 -name composer.lock
    seed_lockfile 13 -name gradle.lockfile
    seed_lockfile 14 -name pom.xml
    ;;
*)
    echo "unknown target $target" >&2
    exit 2
    ;;
esac

cd "$root"
exec cargo +nightly fuzz run --fuzz-dir fuzz/libfuzzer "$target" "$corpus" -- \
    -max_total_time="$seconds" -max_len=65536 -timeout=20 -rss_limit_mb=2048 -print_final_stats=1
