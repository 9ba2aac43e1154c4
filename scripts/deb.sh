#!/usr/bin/env bash
# Builds liveplayerd_<version>_<arch>.deb from the build stage of the image
# (the same npm ci, patch and compile, for that CPU, on Debian 13), so the
# package's binding matches the nodejs and GStreamer it depends on.
# Usage: scripts/deb.sh amd64|arm64|armhf   (npm run deb -- arm64)
# Env: DEB_VERSION (default: package.json's version), OUT (default: artifacts/deb).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
source scripts/lib/docker-env.sh
arch_setup "${1:-}"
VERSION=${DEB_VERSION:-$(node -p 'require("./package.json").version')}
OUT=${OUT:-$ROOT/artifacts/deb}
mkdir -p "$OUT"

ensure_docker
ensure_binfmt
BASE=liveplayer-base:trixie-slim-$ARCH
make_base "$BASE"

WORK=$(mktemp -d /tmp/liveplayer-deb.XXXXXX)
CID=
trap '[[ -n "$CID" ]] && docker rm -f "$CID" >/dev/null 2>&1; rm -rf "$WORK"' EXIT
sed -e "s/%%BALENA_MACHINE_NAME%%/$MACHINE/g" Dockerfile.template | sed -E "s#^FROM debian:trixie-slim\b#FROM $BASE#" >"$WORK/Dockerfile"
nice -n 10 docker build -q --target build -f "$WORK/Dockerfile" -t "liveplayerd-build:$ARCH" . >/dev/null
CID=$(docker create "liveplayerd-build:$ARCH")
docker cp "$CID:/usr/src/app" "$WORK/app"
# The binding (nan) is compiled for one Node ABI: the major version of
# Debian's nodejs in the build stage.
NODE_MAJOR=$(docker run --rm "liveplayerd-build:$ARCH" node -p 'process.versions.node.split(".")[0]')
NODE_ABI="nodejs (<< $((NODE_MAJOR + 1)))"

P=$WORK/pkg
install -d "$P/DEBIAN" "$P/usr/lib/liveplayerd/src/remote" "$P/usr/bin" "$P/usr/lib/systemd/system" \
  "$P/usr/share/dbus-1/system.d" "$P/etc/liveplayerd" "$P/etc/default" "$P/usr/share/doc/liveplayerd"
cp -a "$WORK/app/package.json" "$WORK/app/dist" "$WORK/app/node_modules" "$WORK/app/gst-pipelines" "$P/usr/lib/liveplayerd/"
cp -a "$WORK/app/src/remote/page" "$P/usr/lib/liveplayerd/src/remote/"
# Only what runs: no docs, tests, examples, lint or VCS files of the npm
# packages, no build leftovers of the addons (node-gyp, gyp's Python, objects).
NM=$P/usr/lib/liveplayerd/node_modules
find "$NM" -type d \( -name examples -o -name example -o -name .github -o -name .husky -o -name __pycache__ -o -name obj.target \
  -o -path '*/node_modules/node-gyp' -o -name test -o -name tests -o -name integration -o -name benchmark -o -name benchmarks \) -prune -exec rm -rf {} +
find "$NM" -type f \( -iname '*.md' -o -iname '*.markdown' -o -name '.eslintrc*' -o -name 'eslint.config.*' -o -name '.gitattributes' \
  -o -name '.npmignore' -o -name '.travis.yml' -o -name '.editorconfig' -o -name '*.gyp' -o -name '*.gypi' -o -name Makefile \
  -o -name '*.ts' -not -name '*.d.ts' -o -name '*.py' \) -delete
find "$NM" -type d -name .bin -prune -exec rm -rf {} +
# The addons are stripped by the build stage's own binutils: the host's
# strip knows only its own CPU and refuses an arm64 or armhf object.
docker run --rm -v "$NM:/nm" "liveplayerd-build:$ARCH" find /nm -name '*.node' -exec strip --strip-unneeded {} +
find "$NM" -name '*.node' -exec chmod 644 {} +
# Executable bits only where a file is a script run as such.
find "$P/usr/lib/liveplayerd" -type f -perm /111 -exec chmod a-x {} +
find "$P/usr/lib/liveplayerd" -type f -exec sh -c 'for f; do [ "$(head -c2 "$f")" = "#!" ] && chmod a+x "$f"; done; true' sh {} +
install -m 755 packaging/deb/liveplayerd.sh "$P/usr/bin/liveplayerd"
install -m 644 systemd/liveplayerd.service "$P/usr/lib/systemd/system/liveplayerd.service"
install -m 644 systemd/org.liveplayerd.conf "$P/usr/share/dbus-1/system.d/org.liveplayerd.conf"
install -m 644 packaging/deb/config.json "$P/etc/liveplayerd/config.json"
install -m 644 packaging/deb/default "$P/etc/default/liveplayerd"
install -m 644 README.md docs/deploy.md "$P/usr/share/doc/liveplayerd/"
{
  echo "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/"
  echo "Upstream-Name: liveplayerd"
  echo
  echo "Files: *"
  echo "Copyright: 2025-2026 liveplayerd contributors"
  echo "License: MIT"
  echo
  echo "Files: usr/lib/liveplayerd/node_modules/*"
  echo "Copyright: 2010-2026 the authors of each npm package (see its package.json)"
  echo "License: various free licences (MIT, ISC, BSD, Apache-2.0), see each package.json"
} >"$P/usr/share/doc/liveplayerd/copyright"
printf 'liveplayerd (%s) unstable; urgency=medium\n\n  * Release %s.\n\n -- liveplayerd maintainers <liveplayerd@users.noreply.github.com>  %s\n' \
  "$VERSION" "$VERSION" "$(date -R -u -d @"${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}")" \
  | gzip -9n >"$P/usr/share/doc/liveplayerd/changelog.gz"
install -m 755 packaging/deb/postinst packaging/deb/prerm packaging/deb/postrm "$P/DEBIAN/"
install -m 644 packaging/deb/conffiles "$P/DEBIAN/conffiles"
SIZE=$(du -sk --exclude=DEBIAN "$P" | cut -f1)
sed -e "s/@VERSION@/$VERSION/" -e "s/@ARCH@/$ARCH/" -e "s/@SIZE@/$SIZE/" -e "s/@NODE_ABI@/$NODE_ABI/" packaging/deb/control.in >"$P/DEBIAN/control"
(cd "$P" && find usr etc -type f -not -path 'etc/*' -print0 | sort -z | xargs -0 md5sum) >"$P/DEBIAN/md5sums"
chmod -R u+rwX,go+rX,go-w "$P"
DEB=$OUT/liveplayerd_${VERSION}_${ARCH}.deb
dpkg-deb --root-owner-group -Zxz --build "$P" "$DEB" >/dev/null
echo "$DEB $(stat -c %s "$DEB") bytes, installed $SIZE KiB"
