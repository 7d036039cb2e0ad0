#!/bin/sh
# packaging/bundle.sh CMAKE BUILD_DIR — make BUILD_DIR/bundle/opt/vigil from
# what BUILD_DIR built (the `bundle` target runs it; docs/install.md).
#
# The bundle is an install with PREFIX=/opt/vigil under DESTDIR: the runtime
# component stripped, then the bundle component (etc/vigil.yaml.example,
# LICENSES/). Modes are made independent of the umask so two builds agree.
set -eu
[ $# -eq 2 ] || { echo "usage: $0 CMAKE BUILD_DIR" >&2; exit 2; }
cmake=$1
build=$2
out=$build/bundle
rm -rf "$out"
DESTDIR=$out "$cmake" --install "$build" --prefix /opt/vigil --component runtime --strip
DESTDIR=$out "$cmake" --install "$build" --prefix /opt/vigil --component bundle
chmod -R u=rwX,go=rX "$out"
echo "bundle: $out/opt/vigil"
