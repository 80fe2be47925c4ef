#!/usr/bin/env bash
# Release binaries for the office's machines: archive.exe for Windows 10/11 (x86-64, MinGW),
# archive for ARM64 Linux (Kylin, UOS) and for x86-64 Linux as old as Kylin's (glibc 2.28),
# each with its debug info split into a file beside it.
# The binaries users get are the small stripped ones; keep the .debug files with the release to
# read a backtrace from the field (objdump/gdb find them through the embedded debuglink).
#
#   dist/release.sh            # all three, into dist/out/
#   dist/release.sh windows    # one of them (windows | arm64 | linux)
#
# Needs (Debian): gcc-mingw-w64-x86-64 (Windows), binutils-aarch64-linux-gnu (ARM64: objcopy,
# objdump), python3 with venv, and the Rust standard libraries (`rustup target add
# x86_64-pc-windows-gnu aarch64-unknown-linux-gnu`). Installs the Debian packages when run as
# root, the Rust libraries with rustup, and zig with cargo-zigbuild (pinned, from PyPI) into a
# virtualenv under ~/.cache/archive-release (ZIGBUILD_VENV to use another one).
#
# ARM64 and x86-64 Linux are linked by zig against glibc 2.28, the oldest the office's systems
# have (Kylin V10, UOS 20); Debian's own gcc links against its 2.36 and the binary then needs
# 2.35. The script fails if a Linux binary needs a newer glibc than GLIBC_MAX (2.28).
#
# Full release builds: 30-45 minutes per target on 2 shared cores, which is why CI (.ci/run)
# only type-checks them (`cargo clippy --target`).
set -euo pipefail
cd "$(dirname "$0")/.."

targets=("${@:-windows arm64 linux}")
# shellcheck disable=SC2206
targets=(${targets[*]})

need=()
for t in "${targets[@]}"; do
  case "$t" in
    windows) command -v x86_64-w64-mingw32-gcc >/dev/null || need+=(gcc-mingw-w64-x86-64) ;;
    arm64) command -v aarch64-linux-gnu-objcopy >/dev/null || need+=(binutils-aarch64-linux-gnu) ;;
    linux) command -v objcopy >/dev/null || need+=(binutils) ;;
    *) echo "unknown target '$t' (windows | arm64 | linux)" >&2; exit 64 ;;
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
# target's C compiler, and Rust links with it: MinGW's gcc for Windows; for ARM64, zig's clang
# with zig's glibc 2.28 stubs (cargo-zigbuild sets CC and the linker for the target itself).
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc
export CC_x86_64_pc_windows_gnu=x86_64-w64-mingw32-gcc
export CARGO_TERM_COLOR=never
GLIBC_MAX=${GLIBC_MAX:-2.28}

# zig and cargo-zigbuild from PyPI, pinned, in a virtualenv of their own (no root needed).
zigbuild() {
  local venv=${ZIGBUILD_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/archive-release/zigbuild}
  if [ ! -x "$venv/bin/cargo-zigbuild" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check ziglang==0.17.1 cargo-zigbuild==0.24.1
  fi
  # cargo-zigbuild runs zig as `python3 -m ziglang`: the venv's python must come first.
  PATH="$venv/bin:$PATH" cargo-zigbuild zigbuild "$@"
}

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
    linux) triple=x86_64-unknown-linux-gnu; exe=archive; name=archive-linux-x86_64; prefix= ;;
  esac
  rustup target list --installed 2>/dev/null | grep -qx "$triple" || rustup target add "$triple"
  start=$(date +%s)
  if [ "$t" != windows ]; then
    # The `.2.28` suffix is zigbuild's: the glibc version to link against; the output goes to
    # the usual target/<triple>/.
    zigbuild --release --locked --target "$triple.$GLIBC_MAX" --bin archive
  else
    cargo build --release --locked --target "$triple" --bin archive
  fi
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
  if [ "$t" != windows ]; then
    # The newest glibc symbol version the binary needs: Kylin V10 and UOS 20 ship 2.28
    # (docs/platforms.md).
    glibc=$("${prefix}objdump" -T "$out/$name" | grep -o 'GLIBC_[0-9.]*' | sort -Vu | tail -n 1)
    echo "$name needs $glibc or newer"
    if [ "$(printf '%s\n' "${glibc#GLIBC_}" "$GLIBC_MAX" | sort -V | tail -n 1)" != "$GLIBC_MAX" ]; then
      echo "$name needs $glibc, newer than $GLIBC_MAX: it would not start on Kylin V10 / UOS 20" >&2
      exit 1
    fi
  fi
  printf '%-22s %10s bytes  (debug info %s bytes)  built in %ss\n' "$name" \
    "$(stat -c %s "$out/$name")" "$(stat -c %s "$out/$name.debug")" "$secs"
done
(cd "$out" && rm -f SHA256SUMS && sha256sum -- * > SHA256SUMS)
ls -l "$out"
