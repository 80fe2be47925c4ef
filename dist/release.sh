#!/usr/bin/env bash
# Release binaries for the office's machines: archive.exe for Windows 10/11 (x86-64, MinGW) and
# archive for ARM64 Linux (Kylin, UOS), each with its debug info split into a file beside it.
# The binaries users get are the small stripped ones; keep the .debug files with the release to
# read a backtrace from the field (objdump/gdb find them through the embedded debuglink).
#
#   dist/release.sh            # both targets, into dist/out/
#   dist/release.sh windows    # one of them (windows | arm64)
#
# Needs (Debian): gcc-mingw-w64-x86-64, gcc-aarch64-linux-gnu, and the Rust standard
# libraries (`rustup target add x86_64-pc-windows-gnu aarch64-unknown-linux-gnu`). Installs
# what is missing when run as root. Full release builds: 30-45 minutes per target on 2 shared cores,
# which is why CI (.ci/run) only type-checks them (`cargo check --target`).
set -euo pipefail
cd "$(dirname "$0")/.."

targets=("${@:-windows arm64}")
# shellcheck disable=SC2206
targets=(${targets[*]})

need=()
for t in "${targets[@]}"; do
  case "$t" in
    windows) command -v x86_64-w64-mingw32-gcc >/dev/null || need+=(gcc-mingw-w64-x86-64) ;;
    arm64) command -v aarch64-linux-gnu-gcc >/dev/null || need+=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross) ;;
    *) echo "unknown target '$t' (windows | arm64)" >&2; exit 64 ;;
  esac
done
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "missing: ${need[*]} (apt-get install them, or run as root)" >&2; exit 69
  fi
fi

# The C parts (SQLite, mimalloc, zstd, BLAKE3's assembly) are compiled by the cc crate with the
# target's gcc; Rust links with the same gcc.
export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc
export CC_aarch64_unknown_linux_gnu=aarch64-linux-gnu-gcc
export CC_x86_64_pc_windows_gnu=x86_64-w64-mingw32-gcc
export CARGO_TERM_COLOR=never

out=dist/out
mkdir -p "$out"
target_dir=${CARGO_TARGET_DIR:-target}

# Debug info into NAME.debug, the binary stripped of it and pointing at that file.
split_debug() {
  local prefix=$1 bin=$2
  "${prefix}objcopy" --only-keep-debug "$bin" "$bin.debug"
  "${prefix}objcopy" --strip-debug --strip-unneeded "$bin"
  (cd "$(dirname "$bin")" && "${prefix}objcopy" --add-gnu-debuglink="$(basename "$bin").debug" "$(basename "$bin")")
}

for t in "${targets[@]}"; do
  case "$t" in
    windows) triple=x86_64-pc-windows-gnu; exe=archive.exe; name=archive.exe; prefix=x86_64-w64-mingw32- ;;
    arm64) triple=aarch64-unknown-linux-gnu; exe=archive; name=archive-linux-arm64; prefix=aarch64-linux-gnu- ;;
  esac
  rustup target list --installed 2>/dev/null | grep -qx "$triple" || rustup target add "$triple"
  start=$(date +%s)
  cargo build --release --locked --target "$triple" --bin archive
  secs=$(( $(date +%s) - start ))
  cp "$target_dir/$triple/release/$exe" "$out/$name"
  split_debug "$prefix" "$out/$name"
  if [ "$t" = windows ]; then
    # Double-click starters for Windows users (README 快速开始): ASCII only, since cmd reads a
    # .bat in the console's code page; archive.exe itself prints Chinese through the console API.
    cp dist/windows/demo.bat dist/windows/check-package.bat "$out/"
    # What a Windows user downloads: the program and the two starters, not the debug info.
    rm -f "$out/archive-windows-x86_64.zip"
    (cd "$out" && python3 -m zipfile -c archive-windows-x86_64.zip archive.exe demo.bat check-package.bat)
  fi
  if [ "$t" = arm64 ]; then
    # The newest glibc symbol version the binary needs: Kylin V10 and UOS 20 ship 2.28, Debian
    # 12's cross toolchain links against 2.36 (docs/platforms.md).
    glibc=$("${prefix}objdump" -T "$out/$name" | grep -o 'GLIBC_[0-9.]*' | sort -Vu | tail -n 1)
    echo "$name needs $glibc or newer"
  fi
  printf '%-22s %10s bytes  (debug info %s bytes)  built in %ss\n' "$name" \
    "$(stat -c %s "$out/$name")" "$(stat -c %s "$out/$name.debug")" "$secs"
done
(cd "$out" && rm -f SHA256SUMS && sha256sum -- * > SHA256SUMS)
ls -l "$out"
