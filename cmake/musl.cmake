# cmake/musl.cmake — toolchain file for fully static musl binaries
# (packaging/static/build.sh uses it with -DVIGIL_STATIC=ON).
#
#   cmake -B build-musl -DCMAKE_TOOLCHAIN_FILE=cmake/musl.cmake \
#         -DVIGIL_DEPS_PREFIX=$PWD/build-musl/deps -DVIGIL_STATIC=ON
#
# VIGIL_DEPS_PREFIX is where packaging/static/build-deps.sh installed the
# static musl libraries (zlib, libyaml, jansson, OpenSSL, nghttp2, curl,
# cmocka) and the kernel-headers/ directory musl-gcc lacks. Only that prefix
# is searched for libraries, headers and pkg-config files: nothing of the
# host's glibc world can leak into the link.
#
# VIGIL_MUSL_ARCH: x86_64 (default, Debian's musl-gcc) or aarch64 (a cross
# build: PREFIX/toolchain/aarch64-linux-musl-gcc, which build-deps.sh makes
# from Debian's aarch64 cross gcc and musl-dev:arm64; tests run under
# qemu-aarch64-static).

set(VIGIL_DEPS_PREFIX "" CACHE PATH "static musl libraries made by packaging/static/build-deps.sh")
set(VIGIL_MUSL_ARCH "x86_64" CACHE STRING "x86_64 or aarch64")
# try_compile projects read this file again: hand them the two settings.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES VIGIL_DEPS_PREFIX VIGIL_MUSL_ARCH)
if(NOT VIGIL_DEPS_PREFIX OR NOT EXISTS "${VIGIL_DEPS_PREFIX}/kernel-headers/linux")
  message(FATAL_ERROR "cmake/musl.cmake: set -DVIGIL_DEPS_PREFIX to the PREFIX of "
                      "packaging/static/build-deps.sh (it has no kernel-headers/linux)")
endif()

if(VIGIL_MUSL_ARCH STREQUAL "x86_64")
  set(CMAKE_C_COMPILER musl-gcc)
elseif(VIGIL_MUSL_ARCH STREQUAL "aarch64")
  set(CMAKE_SYSTEM_NAME Linux)
  set(CMAKE_SYSTEM_PROCESSOR aarch64)
  set(CMAKE_C_COMPILER "${VIGIL_DEPS_PREFIX}/toolchain/aarch64-linux-musl-gcc")
  set(CMAKE_AR aarch64-linux-gnu-ar CACHE FILEPATH "")
  set(CMAKE_RANLIB aarch64-linux-gnu-ranlib CACHE FILEPATH "")
  set(CMAKE_STRIP aarch64-linux-gnu-strip CACHE FILEPATH "") # the bundle is stripped
  set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64-static)
else()
  message(FATAL_ERROR "cmake/musl.cmake: VIGIL_MUSL_ARCH is x86_64 or aarch64, not ${VIGIL_MUSL_ARCH}")
endif()

# musl-gcc searches musl's headers only; the kernel's (linux/seccomp.h, ...)
# come from the prefix's kernel-headers/, symlinks to Debian's linux-libc-dev.
set(CMAKE_C_STANDARD_INCLUDE_DIRECTORIES "${VIGIL_DEPS_PREFIX}/include" "${VIGIL_DEPS_PREFIX}/kernel-headers")

# Find libraries, headers and packages in the prefix only.
set(CMAKE_FIND_ROOT_PATH "${VIGIL_DEPS_PREFIX}")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
set(CMAKE_FIND_LIBRARY_SUFFIXES .a)
set(OPENSSL_USE_STATIC_LIBS TRUE)
set(OPENSSL_ROOT_DIR "${VIGIL_DEPS_PREFIX}")
set(ENV{PKG_CONFIG_PATH} "")
set(ENV{PKG_CONFIG_LIBDIR} "${VIGIL_DEPS_PREFIX}/lib/pkgconfig")
set(ENV{PKG_CONFIG_SYSROOT_DIR} "")
