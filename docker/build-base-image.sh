#!/usr/bin/env bash
# Builds the base image that docker/Dockerfile starts FROM (eclipse-temurin:25-jre unless given another tag)
# without any image registry: a minimal Debian root file system made by debootstrap from Debian's packages, plus
# a Java runtime linked with jlink from the local JDK 25 ($JAVA_HOME), imported with `docker import`.
# For machines that reach Debian's mirrors but no registry (CI); with a registry, docker build pulls the real image.
#
#   docker/build-base-image.sh [TAG]      # skips the build when TAG is already there; --force rebuilds it
#
# Needs root (debootstrap), debootstrap, a JDK 25 with jlink, and a Docker engine (DOCKER_HOST).
set -euo pipefail

force=false
if [ "${1:-}" = --force ]; then force=true; shift; fi
TAG=${1:-eclipse-temurin:25-jre}
SUITE=${PARTITA_BASE_SUITE:-bookworm}

if ! $force && docker image inspect "$TAG" >/dev/null 2>&1; then
  echo "base image $TAG is already there (--force rebuilds it)"
  exit 0
fi

JDK=${JAVA_HOME:?set JAVA_HOME to a JDK 25}
"$JDK/bin/jlink" --version | grep -qE '^(2[5-9]|[3-9][0-9])' || { echo "JAVA_HOME=$JDK is not a JDK 25 or newer" >&2; exit 1; }
command -v debootstrap >/dev/null || { echo "debootstrap is missing: apt-get install -y debootstrap" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "debootstrap needs root" >&2; exit 1; }

# The Debian mirror this machine's apt already uses (so that a proxy or a local mirror keeps working).
mirror() {
  local uri
  uri=$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | grep -v security | head -1)
  [ -n "$uri" ] || uri=$(awk '$1 == "deb" && $2 !~ /security/ && $2 ~ /debian/ { print $2; exit }' /etc/apt/sources.list 2>/dev/null)
  echo "${uri:-http://deb.debian.org/debian}"
}
MIRROR=${PARTITA_BASE_MIRROR:-$(mirror)}

work=$(mktemp -d /var/tmp/partita-base.XXXXXX)
trap 'rm -rf "$work"' EXIT
rootfs=$work/rootfs

echo "debootstrap $SUITE from $MIRROR"
# tini: the image's init (signals reach the JVM, children are reaped); curl: its health check
debootstrap --variant=minbase --include=tini,curl,ca-certificates "$SUITE" "$rootfs" "$MIRROR" >"$work/debootstrap.log" 2>&1 \
  || { tail -20 "$work/debootstrap.log" >&2; exit 1; }
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* \
  "$rootfs"/usr/share/info/* "$rootfs"/usr/share/locale/*

# A JRE like Temurin's: every module of the JDK except the development tools.
dev_tools='jdk.compiler|jdk.editpad|jdk.graal.compiler|jdk.graal.compiler.management|jdk.hotspot.agent|jdk.incubator.vector|jdk.internal.ed|jdk.internal.le|jdk.internal.opt|jdk.internal.vm.ci|jdk.jartool|jdk.javadoc|jdk.jconsole|jdk.jdeps|jdk.jdi|jdk.jlink|jdk.jpackage|jdk.jshell|jdk.jstatd'
modules=$("$JDK/bin/java" --list-modules | sed 's/@.*//' | grep -vxE "$dev_tools" | paste -sd, -)
echo "jlink a Java runtime from $JDK"
"$JDK/bin/jlink" --add-modules "$modules" --output "$rootfs/opt/java/openjdk" \
  --strip-debug --no-man-pages --no-header-files --compress=zip-6

echo "docker import $TAG"
tar -C "$rootfs" -c . | docker import \
  -c 'ENV JAVA_HOME=/opt/java/openjdk' \
  -c 'ENV PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  -c 'ENV LANG=C.UTF-8' \
  -m "Partita offline base: Debian $SUITE (debootstrap) + Java runtime jlinked from $("$JDK/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.runtime.version = //p')" \
  - "$TAG" >/dev/null
docker image ls "$TAG"
