#!/usr/bin/env bash
# Install what building and testing vigil needs on Debian 12, if missing.
# Usage: bash packaging/setup-debian.sh   (as root, or with sudo available)
set -euo pipefail

packages=(
  build-essential cmake pkg-config clang clang-format dpkg-dev ca-certificates git
  libyaml-dev libjansson-dev libcurl4-openssl-dev zlib1g-dev libssl-dev libseccomp-dev
  libcmocka-dev libclang-rt-14-dev
  python3 python3-pytest python3-botocore python3-h2 openssl
  tini strace busybox-static podman runc uidmap hyperfine libcap2-bin aide man-db
  # the static musl bundle (packaging/static/): deps from Debian sources, arm64 cross, measuring
  musl-tools dpkg-dev autoconf automake libtool file patch crossbuild-essential-arm64
  qemu-user-static patchelf time
  # the container tests (test_deploy*.py): a registry, image inspection, --init
  docker-registry skopeo catatonit
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup-debian: all packages present"
  exit 0
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "setup-debian: installing ${missing[*]}"
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
