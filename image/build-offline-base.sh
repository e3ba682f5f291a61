#!/usr/bin/env bash
# Builds the Dockerfile's base images from Debian packages alone, for machines that reach a Debian mirror but no
# container registry. Needs root, debootstrap and a running Docker engine.
#
#   image/build-offline-base.sh jre gpushare-base/jre:17   # runtime stage: openjdk-17-jre-headless
#   image/build-offline-base.sh jdk gpushare-base/jdk:17   # build stage:   openjdk-17-jdk-headless
#
# then: docker build --build-arg BASE_IMAGE=gpushare-base/jre:17 --build-arg BUILD_IMAGE=gpushare-base/jdk:17 ...
# MIRROR (default http://deb.debian.org/debian) and SUITE (default bookworm) select the Debian mirror and release;
# SECURITY_MIRROR (default http://deb.debian.org/debian-security, empty = none) the security updates. EXTRA_CA_CERTS
# (space-separated PEM files) are added to the image's trust stores, system and Java, for a network whose egress
# goes through a TLS-inspecting proxy (the build stage downloads Maven and the dependencies over HTTPS).
set -euo pipefail

usage() { echo "usage: $0 jre|jdk <image-tag>" >&2; exit 2; }
[ $# -eq 2 ] || usage
case "$1" in
  jre) packages=openjdk-17-jre-headless ;;
  jdk) packages=openjdk-17-jdk-headless ;;
  *) usage ;;
esac
tag=$2
mirror=${MIRROR:-http://deb.debian.org/debian}
suite=${SUITE:-bookworm}
arch=$(dpkg --print-architecture)

rootfs=$(mktemp -d)
cleanup() { if mountpoint -q "$rootfs/proc"; then umount "$rootfs/proc"; fi; rm -rf "$rootfs"; }
trap cleanup EXIT
debootstrap --arch="$arch" --variant=minbase --include="$packages,ca-certificates" "$suite" "$rootfs" "$mirror"
# The security updates too (debootstrap installs the release as it was published).
if [ -z "${SECURITY_MIRROR+set}" ]; then SECURITY_MIRROR=http://deb.debian.org/debian-security; fi
if [ -n "$SECURITY_MIRROR" ]; then
  echo "deb $SECURITY_MIRROR $suite-security main" >> "$rootfs/etc/apt/sources.list"
  mount -t proc proc "$rootfs/proc" # the JRE's post-install script runs java, which needs /proc
  chroot "$rootfs" apt-get update
  DEBIAN_FRONTEND=noninteractive chroot "$rootfs" apt-get -y upgrade
  chroot "$rootfs" apt-get clean
  umount "$rootfs/proc"
fi
if [ -n "${EXTRA_CA_CERTS:-}" ]; then
  for cert in $EXTRA_CA_CERTS; do
    cp "$cert" "$rootfs/usr/local/share/ca-certificates/$(basename "$cert" .crt).crt"
  done
  mount -t proc proc "$rootfs/proc" # the Java trust store's hook runs java
  chroot "$rootfs" update-ca-certificates
  umount "$rootfs/proc"
fi
# What a base image does not need: package caches, lists and logs (keeps the image small and reproducible-ish).
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/log/*
tar -C "$rootfs" -c . | docker import \
  --change 'ENV LANG=C.UTF-8' \
  --change "ENV JAVA_HOME=/usr/lib/jvm/java-17-openjdk-$arch" \
  --change 'CMD ["bash"]' \
  - "$tag"
