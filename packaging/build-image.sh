#!/usr/bin/env bash
# Build the vigil agent image (packaging/Containerfile) for each architecture
# that has a bundle, join the images in one manifest list and push it.
#
# Usage:
#   packaging/build-image.sh [OPTIONS] DEST
#
#   DEST                  where to push the list: REGISTRY/REPO:TAG
#                         (e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com/vigil:0.1.0)
#   --bundle ARCH=DIR     the bundle for ARCH (amd64, arm64): DIR is a bundle
#                         root holding opt/vigil/, or the opt/vigil directory
#                         itself. Repeatable. Default: amd64=build/bundle, and
#                         arm64=build-arm64/bundle when it exists.
#   --format docker|oci   manifest format pushed (default docker: a Docker
#                         manifest list; every registry and ECS accept it)
#   --tls-verify=false    push to a registry without TLS (tests, local mirrors)
#
# The images and the list are built under temporary local names and removed
# at exit; pull DEST to use the image here.
#
# Labels: org.opencontainers.image.version from the bundle's `vigil version`
# (or CMakeLists.txt when no bundle runs here), .revision from git
# (VIGIL_REVISION overrides; "-dirty" when the work tree has changes),
# .created from SOURCE_DATE_EPOCH (default: the last commit's time), which
# also pins every timestamp in the image, so the same bundle gives the same
# image digests. (Images are built in OCI format and converted when pushed:
# buildah's Docker-format config records the random ID and hostname of its
# build container.) .source from VIGIL_SOURCE_URL, else git's remote "origin".
# Needs podman (4.x; build with --isolation chroot, as in containers).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
podman=(podman)
[ -n "${VIGIL_PODMAN:-}" ] && read -r -a podman <<< "$VIGIL_PODMAN"

die() { echo "build-image: $*" >&2; exit 2; }

bundles=()
format=docker
tls=()
dest=""
while [ $# -gt 0 ]; do
  case $1 in
    --bundle) [ $# -ge 2 ] || die "--bundle needs ARCH=DIR"; bundles+=("$2"); shift 2 ;;
    --bundle=*) bundles+=("${1#--bundle=}"); shift ;;
    --format) [ $# -ge 2 ] || die "--format needs docker or oci"; format=$2; shift 2 ;;
    --format=*) format=${1#--format=}; shift ;;
    --tls-verify=*) tls=("$1"); shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) [ -z "$dest" ] || die "one DEST only"; dest=$1; shift ;;
  esac
done
[ -n "$dest" ] || die "no DEST given (see --help)"
case $format in
  docker) push_format=v2s2 ;;
  oci) push_format=oci ;;
  *) die "--format: docker or oci, not '$format'" ;;
esac
if [ ${#bundles[@]} -eq 0 ]; then
  bundles=("amd64=$repo/build/bundle")
  [ -d "$repo/build-arm64/bundle" ] && bundles+=("arm64=$repo/build-arm64/bundle")
fi

# The build context: the bundle root (holding opt/vigil). Given the
# opt/vigil directory itself, a temporary root is made with a copy.
work=$(mktemp -d)
images=()
list="localhost/vigil-image-build-$$:list"
cleanup() {
  "${podman[@]}" manifest rm "$list" > /dev/null 2>&1 || true
  for i in "${images[@]}"; do "${podman[@]}" rmi -f "$i" > /dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT

context_of() { # $1 = ARCH, $2 = DIR -> prints the context directory
  local arch=$1 dir=$2
  if [ -x "$dir/opt/vigil/bin/vigil" ]; then
    (cd "$dir" && pwd)
  elif [ -x "$dir/bin/vigil" ]; then
    if [ ! -d "$work/$arch/opt/vigil" ]; then
      mkdir -p "$work/$arch/opt"
      cp -a "$dir" "$work/$arch/opt/vigil"
    fi
    echo "$work/$arch"
  else
    die "$arch: $dir holds neither opt/vigil/bin/vigil nor bin/vigil"
  fi
}

git_in_repo() { git -C "$repo" "$@" 2>/dev/null; }

epoch=${SOURCE_DATE_EPOCH:-$(git_in_repo log -1 --format=%ct || true)}
[ -n "$epoch" ] || die "no SOURCE_DATE_EPOCH and no git history to take it from"
created=$(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ)
revision=${VIGIL_REVISION:-}
if [ -z "$revision" ]; then
  revision=$(git_in_repo rev-parse HEAD || echo unknown)
  if [ "$revision" != unknown ] && [ -n "$(git_in_repo status --porcelain --untracked-files=no)" ]; then
    revision="$revision-dirty"
  fi
fi
source_url=${VIGIL_SOURCE_URL:-$(git_in_repo config --get remote.origin.url | sed -E 's#//[^/@]*@#//#' || true)}

version=""
for b in "${bundles[@]}"; do
  ctx=$(context_of "${b%%=*}" "${b#*=}")
  v=$("$ctx/opt/vigil/bin/vigil" version 2> /dev/null | awk '{print $2}') || v=""
  [ -n "$v" ] && { version=$v; break; }
done
if [ -z "$version" ]; then
  version=$(sed -n 's/^project(vigil VERSION \([0-9.]*\).*/\1/p' "$repo/CMakeLists.txt")
fi

# The image is for any application image: a bundle whose binaries ask for
# a loader is linked against this machine's libraries (say so, but build:
# tests and glibc-only fleets may want it).
for b in "${bundles[@]}"; do
  ctx=$(context_of "${b%%=*}" "${b#*=}")
  for exe in "$ctx/opt/vigil/bin/vigil" "$ctx"/opt/vigil/libexec/vigil/vigil-analyzer; do
    [ -f "$exe" ] || continue
    interp=$(readelf -l "$exe" 2> /dev/null | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
    case $interp in
      "" | /opt/vigil/*) ;;
      *) echo "build-image: warning: ${b%%=*}: ${exe#"$ctx"/} is dynamically linked ($interp):" \
           "the image only runs where that loader and its libraries exist;" \
           "build the static bundle (packaging/static/build.sh)" >&2 ;;
    esac
  done
done

"${podman[@]}" manifest create "$list" > /dev/null
for b in "${bundles[@]}"; do
  arch=${b%%=*}
  case $arch in amd64|arm64) ;; *) die "unknown architecture '$arch' (amd64, arm64)" ;; esac
  ctx=$(context_of "$arch" "${b#*=}")
  image="localhost/vigil-image-build-$$:$arch"
  images+=("$image")
  echo "build-image: $arch from $ctx"
  "${podman[@]}" build --isolation chroot --pull=never --layers=false --no-cache \
    --format oci --platform "linux/$arch" --timestamp "$epoch" \
    --build-arg "VERSION=$version" --build-arg "REVISION=$revision" \
    --build-arg "CREATED=$created" --build-arg "SOURCE=$source_url" \
    -f "$here/Containerfile" -t "$image" "$ctx" > /dev/null
  "${podman[@]}" manifest add --arch "$arch" --os linux "$list" "containers-storage:$image" > /dev/null
done

echo "build-image: pushing $dest (${format}, $(printf '%s ' "${bundles[@]%%=*}"))"
"${podman[@]}" manifest push --all --format "$push_format" "${tls[@]}" "$list" "docker://$dest"
echo "build-image: $dest: vigil $version, revision $revision, created $created"
