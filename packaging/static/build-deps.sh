#!/usr/bin/env bash
# build-deps.sh PREFIX — the libraries vigil-analyzer links, as static musl
# libraries in PREFIX (PREFIX/lib/*.a, PREFIX/include, PREFIX/lib/pkgconfig).
#
# Sources: Debian bookworm's source packages (bookworm and bookworm-updates:
# Debian's patches, security fixes of the point releases), fetched with
# `apt-get source` through a private apt configuration in a temporary
# directory; the system's apt configuration is neither read for sources nor
# changed. apt checks the InRelease signatures against Debian's archive
# keyring (Signed-By) and the .dsc/.orig hashes against the signed Sources
# index, and refuses anything unauthenticated.
#
# Built, in order, with musl-gcc (Debian musl-tools): zlib, libyaml, jansson,
# OpenSSL (libraries only: no-shared no-tests, TLS 1.2/1.3, SHA-2, HMAC; no
# engines, modules, legacy ciphers or autoloaded openssl.cnf), nghttp2 (lib
# only), curl (HTTP/HTTPS only, with OpenSSL, nghttp2 and zlib; no psl, idn,
# ldap, rtmp, ssh, brotli, zstd, manual); and cmocka, for the unit tests of
# the static build (no vigil program links it).
#
# Kernel headers: musl-gcc searches only musl's headers, and OpenSSL, curl
# and vigil include linux/*.h. PREFIX/kernel-headers holds symlinks to the
# system's linux/, asm-generic/ and the architecture's asm/ (Debian
# linux-libc-dev); they are put on the search path with C_INCLUDE_PATH, so no
# build path ends up in a library's recorded compiler flags.
#
# Rebuilds nothing when PREFIX/.vigil-deps.stamp names the same script and
# the same source versions. Prints the time each library took.
#
# arm64: VIGIL_DEPS_ARCH=aarch64 cross-builds the same with Debian's
# aarch64-linux-gnu-gcc (crossbuild-essential-arm64) turned into a musl
# compiler: musl and musl-dev for arm64 are downloaded by the same private
# apt (hashes checked against the signed Packages index), unpacked into
# PREFIX/musl, and PREFIX/toolchain/aarch64-linux-musl-gcc runs the cross
# gcc with a specs file pointing there (as Debian's musl-gcc does for the
# host). The system gets no foreign architecture.
#
# Environment: JOBS (default 2); VIGIL_DEPS_ARCH=x86_64|aarch64 (default x86_64).
set -euo pipefail

usage() { echo "usage: $0 PREFIX" >&2; exit 2; }
[ $# -eq 1 ] || usage
mkdir -p "$1"
prefix=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
jobs=${JOBS:-2}
arch=${VIGIL_DEPS_ARCH:-x86_64}
packages=(zlib libyaml jansson openssl nghttp2 curl cmocka)

case "$arch" in
x86_64)
	cc=musl-gcc host=x86_64-linux-musl ossl_target=linux-x86_64 debarch=amd64
	kinc=/usr/include asm_dir=/usr/include/x86_64-linux-gnu/asm
	command -v musl-gcc > /dev/null || { echo "build-deps: musl-gcc not found (musl-tools)" >&2; exit 1; }
	;;
aarch64)
	cc="$prefix/toolchain/aarch64-linux-musl-gcc" host=aarch64-linux-musl
	ossl_target=linux-aarch64 debarch=arm64
	kinc=/usr/aarch64-linux-gnu/include asm_dir=/usr/aarch64-linux-gnu/include/asm
	command -v aarch64-linux-gnu-gcc > /dev/null ||
		{ echo "build-deps: aarch64-linux-gnu-gcc not found (crossbuild-essential-arm64)" >&2; exit 1; }
	;;
*) echo "build-deps: unknown VIGIL_DEPS_ARCH $arch" >&2; exit 2 ;;
esac

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# --- a private apt that only knows Debian bookworm's sources --------------
aptdir="$work/apt"
mkdir -p "$aptdir/sources.list.d" "$aptdir/preferences.d" "$aptdir/lists/partial" \
	"$aptdir/cache/archives/partial"
# Suites: bookworm and bookworm-updates by default (point releases carry
# Debian's security fixes); VIGIL_DEPS_SECURITY=1 adds bookworm-security for
# fixes not yet in a point release (needs a mirror that serves its sources).
cat > "$aptdir/sources.list.d/debian-src.sources" << 'EOF'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
if [ "$arch" != x86_64 ]; then # the target's musl, as binary packages
	sed -i 's/^Types: deb-src$/Types: deb-src deb/' "$aptdir/sources.list.d/debian-src.sources"
fi
if [ "${VIGIL_DEPS_SECURITY:-0}" = 1 ]; then
	cat >> "$aptdir/sources.list.d/debian-src.sources" << 'EOF'

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
fi
apt_opts=(
	-o "Dir::Etc::SourceList=/dev/null"
	-o "Dir::Etc::SourceParts=$aptdir/sources.list.d"
	-o "Dir::Etc::Preferences=/dev/null"
	-o "Dir::Etc::PreferencesParts=$aptdir/preferences.d"
	-o "Dir::State::Lists=$aptdir/lists"
	-o "Dir::Cache=$aptdir/cache"
	-o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache="
	-o "Acquire::Languages=none"
	-o "Acquire::AllowInsecureRepositories=false"
	-o "Acquire::AllowDowngradeToInsecureRepositories=false"
	-o "APT::Get::AllowUnauthenticated=false"
	-o "Debug::NoLocking=true"
	-o "APT::Sandbox::User=$(id -un)" # files stay in this private directory
	-o "APT::Architecture=$debarch" -o "APT::Architectures=$debarch"
)
echo "build-deps: apt-get update (Debian bookworm sources)"
apt-get "${apt_opts[@]}" -q update > "$work/apt-update.log" 2>&1 ||
	{ cat "$work/apt-update.log" >&2; exit 1; }
grep -E '^(W|E):' "$work/apt-update.log" >&2 && { echo "build-deps: apt-get update warned" >&2; exit 1; }

# The version apt would fetch for each source package (newest of the suites).
declare -A version
for p in "${packages[@]}"; do
	dsc=$(apt-get "${apt_opts[@]}" source --only-source --print-uris "$p" |
		awk '$2 ~ /\.dsc$/ { print $2 }')
	[ -n "$dsc" ] || { echo "build-deps: no source package $p" >&2; exit 1; }
	v=${dsc#"${p}_"}
	version[$p]=${v%.dsc}
done
musl_version=""
if [ "$arch" != x86_64 ]; then
	musl_version=$(apt-cache "${apt_opts[@]}" show "musl-dev:$debarch" | awk '/^Version:/ { print $2; exit }')
fi
script_sum=$(sha256sum < "$here/build-deps.sh" | cut -d' ' -f1)
stamp_text=$(printf 'script %s\narch %s\n' "$script_sum" "$arch"
	for p in "${packages[@]}"; do printf '%s %s\n' "$p" "${version[$p]}"; done
	[ -z "$musl_version" ] || printf 'musl-dev:%s %s\n' "$debarch" "$musl_version")
if [ -f "$prefix/.vigil-deps.stamp" ] && [ "$(cat "$prefix/.vigil-deps.stamp")" = "$stamp_text" ]; then
	echo "build-deps: $prefix is up to date ($(echo "$stamp_text" | tail -n +3 | tr '\n' ' '))"
	exit 0
fi
rm -rf "${prefix:?}"/{lib,include,bin,share,kernel-headers,ssl,musl,toolchain} "$prefix/.vigil-deps.stamp"

# --- the kernel headers musl-gcc lacks ------------------------------------
mkdir -p "$prefix/kernel-headers"
ln -s "$kinc/linux" "$prefix/kernel-headers/linux"
ln -s "$kinc/asm-generic" "$prefix/kernel-headers/asm-generic"
ln -s "$asm_dir" "$prefix/kernel-headers/asm"
[ -d "$asm_dir" ] || { echo "build-deps: $asm_dir missing (linux-libc-dev)" >&2; exit 1; }

# --- the target's musl and a compiler for it (cross builds) ---------------
if [ "$arch" != x86_64 ]; then
	mkdir -p "$work/musl-debs" "$prefix/toolchain"
	(cd "$work/musl-debs" && apt-get "${apt_opts[@]}" -q download "musl:$debarch" "musl-dev:$debarch" \
		> "$work/musl-debs.log" 2>&1) || { cat "$work/musl-debs.log" >&2; exit 1; }
	for deb in "$work"/musl-debs/*.deb; do dpkg-deb -x "$deb" "$prefix/musl"; done
	mlib="$prefix/musl/usr/lib/$host" minc="$prefix/musl/usr/include/$host"
	[ -f "$mlib/musl-gcc.specs" ] && [ -f "$mlib/libc.a" ] ||
		{ echo "build-deps: musl-dev:$debarch has no specs or libc.a" >&2; exit 1; }
	sed -e "s|/usr/lib/$host|$mlib|g" -e "s|/usr/include/$host|$minc|g" \
		"$mlib/musl-gcc.specs" > "$prefix/toolchain/musl-gcc.specs"
	printf '#!/bin/sh\nexec aarch64-linux-gnu-gcc "$@" -specs "%s"\n' \
		"$prefix/toolchain/musl-gcc.specs" > "$cc"
	chmod +x "$cc"
	echo "build-deps: musl-dev:$debarch $musl_version unpacked; compiler $cc"
fi

# --- the build environment -------------------------------------------------
export CC="$cc" AR=ar RANLIB=ranlib
[ "$arch" = aarch64 ] && export AR=aarch64-linux-gnu-ar RANLIB=aarch64-linux-gnu-ranlib
export CFLAGS="-O2 -fPIE -ffunction-sections -fdata-sections"
export CPPFLAGS="" LDFLAGS="-L$prefix/lib"
export C_INCLUDE_PATH="$prefix/include:$prefix/kernel-headers"
export PKG_CONFIG_PATH="" PKG_CONFIG_LIBDIR="$prefix/lib/pkgconfig"
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1700000000}
export LC_ALL=C TZ=UTC
unset MAKEFLAGS
conf_common=(--prefix="$prefix" --host="$host" --build="$(gcc -dumpmachine)"
	--disable-shared --enable-static --disable-dependency-tracking)

fetch() { # $1 = source package: unpacked (Debian patches applied) in $work/src/$1
	mkdir -p "$work/dl/$1"
	(cd "$work/dl/$1" && apt-get "${apt_opts[@]}" -q source --only-source "$1" \
		> "$work/dl/$1.log" 2>&1) || { cat "$work/dl/$1.log" >&2; exit 1; }
	grep -qiE 'cannot be authenticated|unauthenticated' "$work/dl/$1.log" &&
		{ echo "build-deps: $1 not authenticated" >&2; exit 1; }
	local dir
	dir=$(find "$work/dl/$1" -mindepth 1 -maxdepth 1 -type d | head -n 1)
	mv "$dir" "$work/src-$1"
}

build_zlib() {
	fetch zlib
	cd "$work/src-zlib"
	CHOST="$host" ./configure --static --prefix="$prefix" > configure.log 2>&1
	make -j"$jobs" libz.a > make.log 2>&1
	make install > install.log 2>&1
}

build_libyaml() {
	fetch libyaml
	cd "$work/src-libyaml"
	[ -x configure ] || autoreconf -fi > autoreconf.log 2>&1
	./configure "${conf_common[@]}" > configure.log 2>&1
	make -j"$jobs" -C src > make.log 2>&1
	make -C src install > install.log
	make install-data > install.log # yaml.h, yaml-0.1.pc
}

build_jansson() {
	fetch jansson
	cd "$work/src-jansson"
	[ -x configure ] || autoreconf -fi > autoreconf.log 2>&1
	./configure "${conf_common[@]}" > configure.log 2>&1
	make -j"$jobs" -C src > make.log 2>&1
	make -C src install > install.log
	make install-pkgconfigDATA > install.log
}

build_openssl() {
	fetch openssl
	cd "$work/src-openssl"
	# What vigil and curl use: TLS 1.2/1.3 with ECDHE/RSA/ECDSA, AES-GCM and
	# ChaCha20-Poly1305, SHA-2, HMAC, X.509 verification. Off: everything a
	# TLS client of a modern HTTPS endpoint never negotiates.
	# Built for /opt/vigil and moved to PREFIX, so that no build path is
	# compiled in (OpenSSL records its module and engine directories).
	./Configure "$ossl_target" --prefix=/opt/vigil --libdir=lib --openssldir=/etc/ssl \
		no-shared no-tests no-module no-dso no-engine no-dynamic-engine no-legacy \
		no-autoload-config no-comp no-ssl3 no-dtls no-weak-ssl-ciphers no-srp no-psk \
		no-srtp no-nextprotoneg no-gost no-idea no-mdc2 no-rc2 no-rc4 no-rc5 no-bf \
		no-cast no-camellia no-aria no-seed no-sm2 no-sm3 no-sm4 no-whirlpool \
		no-md4 no-rmd160 no-siphash no-ocb no-scrypt no-cms no-ts no-ct no-ui-console \
		no-ssl-trace no-unit-test no-fuzz-afl no-fuzz-libfuzzer no-ec2m no-dsa \
		no-capieng no-afalgeng no-padlockeng no-devcryptoeng \
		> configure.log 2>&1
	make -j"$jobs" build_libs > make.log 2>&1
	make DESTDIR="$work/openssl-dest" install_dev > install.log 2>&1
	cp -R "$work/openssl-dest/opt/vigil/include" "$work/openssl-dest/opt/vigil/lib" "$prefix/"
	sed -i "s|/opt/vigil|$prefix|" "$prefix"/lib/pkgconfig/{libcrypto,libssl,openssl}.pc
}

build_nghttp2() {
	fetch nghttp2
	cd "$work/src-nghttp2"
	[ -x configure ] || autoreconf -fi > autoreconf.log 2>&1
	./configure "${conf_common[@]}" --enable-lib-only --disable-python-bindings \
		--without-libxml2 --without-jemalloc --without-systemd --without-libev \
		--without-libnghttp3 --without-libngtcp2 --without-libbpf > configure.log 2>&1
	make -j"$jobs" -C lib > make.log 2>&1
	make -C lib install > install.log
}

build_curl() {
	fetch curl
	cd "$work/src-curl"
	# The last two patches of Debian's series rename the library for its
	# GnuTLS and NSS flavours; debian/rules takes them off for the OpenSSL
	# one, and so do we. The patches touch Makefile.am, configure.ac and
	# m4/: regenerate, as Debian does.
	patch -R -p1 < debian/patches/99_nss.patch > unpatch.log
	patch -R -p1 < debian/patches/90_gnutls.patch >> unpatch.log
	autoreconf -fi > autoreconf.log 2>&1
	./configure "${conf_common[@]}" \
		--with-openssl="$prefix" --with-nghttp2="$prefix" --with-zlib="$prefix" \
		--without-libpsl --without-libidn2 --without-brotli --without-zstd \
		--without-libssh --without-libssh2 --without-librtmp --without-libgsasl \
		--without-gssapi --without-hyper --without-msh3 --without-ngtcp2 \
		--without-nghttp3 --without-quiche --without-ca-bundle --without-ca-path \
		--disable-ldap --disable-ldaps --disable-rtsp --disable-dict --disable-telnet \
		--disable-tftp --disable-pop3 --disable-imap --disable-smb --disable-smtp \
		--disable-gopher --disable-mqtt --disable-ftp --disable-file --disable-manual \
		--disable-ntlm --disable-ntlm-wb --disable-kerberos-auth --disable-negotiate-auth \
		--disable-aws --disable-netrc --disable-tls-srp --enable-threaded-resolver \
		> configure.log 2>&1
	make -j"$jobs" -C lib > make.log 2>&1
	make -C lib install > install.log
	make -C include install > install.log
	make install-pkgconfigDATA > install.log
}

build_cmocka() {
	fetch cmocka
	cd "$work/src-cmocka"
	# cmocka.h defines its own uintptr_t unless told the C library has one,
	# and guesses its width from __WORDSIZE, which musl defines on x86_64
	# only (on aarch64 it guesses 32 bits and clashes with <stdint.h>).
	sed -i 's|^#define CMOCKA_H_$|&\n#include <stdint.h> /* uintptr_t (build-deps.sh) */\n#define _UINTPTR_T_DEFINED|' \
		include/cmocka.h
	grep -q '^#define _UINTPTR_T_DEFINED$' include/cmocka.h
	local tc="$work/cmocka-toolchain.cmake"
	printf 'set(CMAKE_C_COMPILER %s)\nset(CMAKE_AR %s)\nset(CMAKE_RANLIB %s)\n' \
		"${cc%% *}" "$(command -v "$AR")" "$(command -v "$RANLIB")" > "$tc"
	[ "$arch" = x86_64 ] || printf 'set(CMAKE_SYSTEM_NAME Linux)\nset(CMAKE_SYSTEM_PROCESSOR %s)\n' "$arch" >> "$tc"
	cmake -S . -B build -DCMAKE_TOOLCHAIN_FILE="$tc" -DCMAKE_BUILD_TYPE=Release \
		-DCMAKE_INSTALL_PREFIX="$prefix" -DCMAKE_INSTALL_LIBDIR=lib -DBUILD_SHARED_LIBS=OFF \
		-DWITH_STATIC_LIB=ON -DWITH_EXAMPLES=OFF -DUNIT_TESTING=OFF > configure.log 2>&1
	cmake --build build -j"$jobs" > make.log 2>&1
	cmake --install build > install.log 2>&1
	# cmocka 1.1.5 always builds the shared library too: keep the static one.
	rm -f "$prefix"/lib/libcmocka.so*
	mv "$prefix/lib/libcmocka-static.a" "$prefix/lib/libcmocka.a"
}

total_start=$(date +%s)
for p in "${packages[@]}"; do
	start=$(date +%s)
	set +e
	(set -e; "build_$p")
	rc=$?
	set -e
	if [ "$rc" -ne 0 ]; then
		trap - EXIT
		echo "build-deps: $p failed; its logs are in $work/src-$p" >&2
		exit 1
	fi
	echo "build-deps: $p ${version[$p]} built in $(($(date +%s) - start)) s"
done
rm -rf "${prefix:?}/share" "${prefix:?}/bin"
echo "$stamp_text" > "$prefix/.vigil-deps.stamp"
echo "build-deps: all built in $(($(date +%s) - total_start)) s into $prefix"
