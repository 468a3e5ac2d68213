#!/bin/bash
# The project's Dockerfile, built unchanged and without a Docker daemon or
# Docker Hub: mmdebstrap makes a Debian stand-in for cloudron/base, buildah
# builds on it (docs/image.md says what the stand-in cannot prove).
#
#   image.sh build [CONTEXT [TAG]]   build CONTEXT (default: .) as TAG
#   image.sh buildah ARGS...         buildah on this project's image store
#
# Everything is cached in $IMAGE_CACHE (default /var/tmp/mail-autoconfig-image):
# the stand-in's root filesystem tarball and buildah's store, whose layer
# cache makes a rebuild with unchanged requirements take seconds.
set -euo pipefail

cache=${IMAGE_CACHE:-/var/tmp/mail-autoconfig-image}
# What cloudron/base gives this package: Python 3 with venv, gosu, CA
# certificates, and a `cloudron` user and group with id 1000.
packages=python3,python3-venv,gosu,ca-certificates
# shellcheck disable=SC2016 # "$1" is mmdebstrap's: the root it is building.
add_user='chroot "$1" useradd --uid 1000 --user-group --create-home --shell /bin/bash cloudron'
# A new recipe gets a new name, so a stale stand-in is never reused.
standin=localhost/cloudron-base-standin:$(echo "$packages $add_user" | sha256sum | cut -c1-12)

mkdir -p "$cache"
# overlay where the kernel can stack it on the cache's file system (a cached
# rebuild in a second); elsewhere, such as inside a container, vfs (plain
# copies: about 90 s a rebuild). chroot isolation needs no runtime like runc.
export CONTAINERS_STORAGE_CONF=$cache/storage.conf BUILDAH_ISOLATION=chroot
if [[ ! -e $CONTAINERS_STORAGE_CONF ]]; then
    driver=vfs
    if grep -qw overlay /proc/filesystems && [[ $(stat -f -c %T "$cache") != overlayfs ]]; then
        driver=overlay
    fi
    printf '[storage]\ndriver = "%s"\ngraphroot = "%s"\nrunroot = "%s"\n' \
        "$driver" "$cache/storage" /run/mail-autoconfig-image >"$CONTAINERS_STORAGE_CONF"
fi

standin_image() {
    buildah inspect --type image "$standin" >/dev/null 2>&1 && return
    local tarball=$cache/${standin##*:}.tar
    if [[ ! -e $tarball ]]; then
        mmdebstrap --quiet --variant=apt --include="$packages" --customize-hook="$add_user" \
            bookworm "$tarball.part" http://deb.debian.org/debian
        mv "$tarball.part" "$tarball"
    fi
    local container
    container=$(buildah from scratch)
    buildah add --quiet "$container" "$tarball" /
    buildah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$container"
    buildah commit --quiet --rm "$container" "$standin" >/dev/null
}

build() {
    local context=${1:-.} tag=${2:-localhost/mail-autoconfig:dev}
    standin_image
    # Where the registries are reached through a proxy with its own CA, the
    # host's bundle knows it: lend it, and a pip.conf naming it, to the build.
    local bundle=/etc/ssl/certs/ca-certificates.crt
    printf '[global]\ncert = %s\n' "$bundle" >"$cache/pip.conf"
    buildah build --quiet --layers --pull-never --from "$standin" \
        -v "$bundle:$bundle:ro" -v "$cache/pip.conf:/etc/pip.conf:ro" \
        -t "$tag" "$context"
}

case ${1:-} in
    build) shift; build "$@" ;;
    buildah) shift; exec buildah "$@" ;;
    *) echo "usage: $0 build [CONTEXT [TAG]] | buildah ARGS..." >&2; exit 2 ;;
esac
