#!/bin/sh
# packaging/package.sh BUILD_DIR SOURCE_DIR VERSION — the tarball and the .deb
# of BUILD_DIR/bundle/opt/vigil (make it first: the `bundle` target; the
# `package` target does both), into BUILD_DIR/package/:
#   vigil-VERSION-ARCH.tar.gz    opt/vigil/..., to unpack at /
#   vigil_VERSION_DEBARCH.deb    installs /opt/vigil
# Byte-reproducible: every mtime is SOURCE_DATE_EPOCH
# (packaging/source-date-epoch.sh), names are sorted, owners are root, gzip
# stores no name or time, and dpkg-deb clamps to the same epoch. The
# architecture is read from the binaries (a cross build packs its own).
set -eu
[ $# -eq 3 ] || { echo "usage: $0 BUILD_DIR SOURCE_DIR VERSION" >&2; exit 2; }
build=$(cd "$1" && pwd)
src=$2
version=$3
here=$(dirname "$0")
bundle=$build/bundle
[ -x "$bundle/opt/vigil/bin/vigil" ] || { echo "package: no bundle in $bundle (build the bundle target)" >&2; exit 1; }

SOURCE_DATE_EPOCH=$(sh "$here/source-date-epoch.sh" "$src")
export SOURCE_DATE_EPOCH

machine=$(LC_ALL=C readelf -h "$bundle/opt/vigil/bin/vigil" | sed -n 's/^ *Machine: *//p')
case $machine in
  *X86-64*) arch=x86_64 debarch=amd64 ;;
  *AArch64*) arch=aarch64 debarch=arm64 ;;
  *) echo "package: unknown machine '$machine' in bin/vigil" >&2; exit 1 ;;
esac

out=$build/package
rm -rf "$out"
mkdir -p "$out"
stage=$(mktemp -d "$out/.stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT

# The same tree for both archives: the bundle with every mtime at the epoch.
mkdir -p "$stage/root"
cp -a "$bundle/opt" "$stage/root/"
find "$stage/root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

tarball=$out/vigil-$version-$arch.tar.gz
tar -C "$stage/root" --sort=name --format=gnu --mtime="@$SOURCE_DATE_EPOCH" \
  --owner=0 --group=0 --numeric-owner -cf - opt | gzip -9 -n > "$tarball"

# Depends: what the dynamic binaries need (dpkg-shlibdeps), nothing when static.
depends=""
bins="$stage/root/opt/vigil/bin/vigil $stage/root/opt/vigil/libexec/vigil/vigil-analyzer"
# shellcheck disable=SC2086
if LC_ALL=C readelf -d $bins | grep -q '(NEEDED)'; then
  mkdir -p "$stage/shlibs/debian"
  printf 'Source: vigil\n\nPackage: vigil\nArchitecture: any\n' > "$stage/shlibs/debian/control"
  # shellcheck disable=SC2086
  # (its warning that the binaries are not under debian/ is for source packages: kept quiet)
  depends=$(cd "$stage/shlibs" && dpkg-shlibdeps -O $bins 2> "$stage/shlibs.err" |
    sed -n 's/^shlibs:Depends=//p') || { cat "$stage/shlibs.err" >&2; exit 1; }
  [ -n "$depends" ] || { echo "package: dpkg-shlibdeps found no dependencies" >&2; exit 1; }
fi

# Installed-Size as dpkg-gencontrol counts it: KiB per file, rounded up, plus one per directory.
size=$(find "$stage/root" -type f -printf '%s\n' | awk '{k += int(($1 + 1023) / 1024)} END {print k}')
size=$((size + $(find "$stage/root" -type d | wc -l)))

mkdir -p "$stage/root/DEBIAN"
{
  echo "Package: vigil"
  echo "Version: $version"
  echo "Architecture: $debarch"
  echo "Maintainer: ${VIGIL_DEB_MAINTAINER:-vigil maintainers <vigil@invalid>}"
  echo "Installed-Size: $size"
  [ -z "$depends" ] || echo "Depends: $depends"
  echo "Section: admin"
  echo "Priority: optional"
  echo "Description: runtime security agent for containers (ptrace/seccomp)"
  echo " vigil is a container's entrypoint: it runs the application under a"
  echo " ptrace/seccomp supervisor, evaluates Falco-compatible rules and ships"
  echo " alerts. Installs the relocatable bundle in /opt/vigil."
} > "$stage/root/DEBIAN/control"
chmod 644 "$stage/root/DEBIAN/control"
touch -h -d "@$SOURCE_DATE_EPOCH" "$stage/root/DEBIAN" "$stage/root/DEBIAN/control"
deb=$out/vigil_${version}_$debarch.deb
# One compressor thread: multi-threaded xz cuts the stream into blocks, so
# its bytes could depend on how many CPUs the building machine has.
dpkg-deb --root-owner-group -Zxz -z6 --threads-max=1 --build "$stage/root" "$deb" > /dev/null

echo "package: $tarball"
echo "package: $deb"
