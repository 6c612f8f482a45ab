#!/usr/bin/env bash
# Runs every fuzz target of insigne for SECONDS each (default 600), one after the other, with
# the limits a verification must hold: 512 MB of memory, no input over 10 s. The seed corpus
# comes from tests/fixtures (official OB 3.0 fixtures, insigne's own credential, the 1EdTech
# test vector) and fuzz/seeds; what the fuzzer learns stays in fuzz/corpus (not committed).
#
#   fuzz/run.sh [SECONDS] [TARGET...]
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`); runs on the stable toolchain through
# RUSTC_BOOTSTRAP=1. A crash, a timeout or an out-of-memory stops the run with its input in
# fuzz/artifacts/TARGET/.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
seconds="${1:-600}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(unbake_png unbake_svg jws verify_ob3 verify_ob2 import_moodle)
fi
fixtures="$root/tests/fixtures"

seed() {
  local target="$1" dir="$here/corpus/$1"
  mkdir -p "$dir"
  case "$target" in
    unbake_png) cp "$fixtures"/ob3/validator/*.png "$dir"/ ;;
    unbake_svg) cp "$fixtures"/ob3/validator/*.svg "$dir"/ ;;
    jws)
      cp "$fixtures"/ob3/validator/*.jwt "$dir"/
      cp "$here"/seeds/ob2/*.jws "$dir"/ ;;
    verify_ob3)
      cp "$fixtures"/ob3/validator/* "$dir"/
      cp "$fixtures"/ob3/ecap-credential.json "$dir"/
      cp "$fixtures"/test-vectors/1edtech-ldp-testvector-signed.json "$dir"/ ;;
    verify_ob2) cp "$here"/seeds/ob2/* "$dir"/ ;;
    import_moodle) cp "$root"/examples/moodle/*.csv "$dir"/ ;;
  esac
}

cd "$here"
export RUSTC_BOOTSTRAP=1
# AddressSanitizer keeps freed memory in quarantine (256 MB by default) to catch use after
# free; counted in the RSS, it alone would pass the 512 MB limit. 64 MB keeps the check.
export ASAN_OPTIONS="${ASAN_OPTIONS:-quarantine_size_mb=64}"
# Built once, then run from the binaries: what runs is what was built, whatever changes later.
cargo fuzz build -O 2>&1 | tail -1
triple="$(rustc -vV | sed -n 's/^host: //p')"
for target in "${targets[@]}"; do
  seed "$target"
  mkdir -p "artifacts/$target"
  echo "== $target: ${seconds} s"
  "target/$triple/release/$target" "corpus/$target" \
    -artifact_prefix="artifacts/$target/" \
    -max_total_time="$seconds" -rss_limit_mb=512 -timeout=10 -print_final_stats=1 \
    2>&1 | tee "$here/last-$target.log" | grep -E "^(#[0-9]+.*DONE|stat::|==[0-9]+==|SUMMARY|Done)" || true
  if grep -qE "^(==[0-9]+==ERROR|SUMMARY: libFuzzer)" "$here/last-$target.log"; then
    echo "!! $target failed: see fuzz/last-$target.log and fuzz/artifacts/$target/"
    exit 1
  fi
done
