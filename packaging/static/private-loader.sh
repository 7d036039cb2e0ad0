#!/usr/bin/env bash
# private-loader.sh GLIBC_BUILD DEST — the alternative to the static build,
# kept for measuring it (packaging/static/README.md): the dynamic glibc
# binaries of GLIBC_BUILD with their own loader and libraries, as a bundle
# that must live at DEST (default /opt/vigil):
#   DEST/bin/vigil, DEST/bin/vigil-analyzer   interpreter DEST/lib/ld-linux-*.so.*,
#                                              DT_RPATH $ORIGIN/../lib
#   DEST/lib/                                  the loader and every library ldd names
#   DEST/share/vigil/rules/                    the bundled rules
# DT_RPATH, not RUNPATH: RPATH also applies to the libraries' own
# dependencies (libcurl's), and is searched before LD_LIBRARY_PATH. The
# loader's path is absolute, so the bundle cannot move; the image's
# /etc/ld.so.preload and LD_PRELOAD still reach it (a static binary has no
# loader for them to reach).
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 GLIBC_BUILD DEST" >&2; exit 2; }
build=$(cd "$1" && pwd)
dest=$2
case "$dest" in /*) ;; *) echo "private-loader: DEST must be absolute" >&2; exit 2 ;; esac
command -v patchelf > /dev/null || { echo "private-loader: patchelf is needed" >&2; exit 1; }

rm -rf "${dest:?}/bin" "${dest:?}/lib" "${dest:?}/share"
mkdir -p "$dest/bin" "$dest/lib" "$dest/share/vigil"
cp -R "$build/share/vigil/rules" "$dest/share/vigil/"
loader=""
for bin in vigil vigil-analyzer; do
	cp "$build/$bin" "$dest/bin/$bin"
	while read -r name _ path _; do
		case "$name" in
		linux-vdso.so.*) ;;
		/*) loader=$name ;; # the interpreter: "/lib64/ld-linux-x86-64.so.2 (0x...)"
		*) cp -L "$path" "$dest/lib/$name" ;;
		esac
	done < <(ldd "$build/$bin")
done
[ -n "$loader" ] || { echo "private-loader: no interpreter found" >&2; exit 1; }
cp -L "$loader" "$dest/lib/$(basename "$loader")"
for bin in vigil vigil-analyzer; do
	patchelf --set-interpreter "$dest/lib/$(basename "$loader")" \
		--force-rpath --set-rpath '$ORIGIN/../lib' "$dest/bin/$bin"
done
echo "private-loader: $dest: $(find "$dest/lib" -type f | wc -l) files in lib/"
