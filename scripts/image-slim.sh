#!/bin/sh
# Run inside the image, in the same RUN as apt-get install (a later layer
# could not make the image smaller). Debian packages GStreamer's plugins in
# a few large bundles whose Depends pull in libraries for hundreds of
# elements the player never uses (LLVM and Mesa for GL, onnxruntime and
# oneDNN, GTK, systemd through D-Bus's session bus...). This keeps every
# package that a file we run links against (ldd of node, the GStreamer tools and the plugin files of the elements we use), the
# packages of the base image, and a few data packages found by name; the
# other packages installed with them are purged, their Depends ignored.
# Plugins whose libraries are gone are left out of the registry when it is
# built afterwards; the image check asks gst-inspect-1.0 for every element.
# Usage: image-slim.sh BEFORE_LIST ELEMENT_OR_PLUGIN...
set -eu
before=$1; shift
keep=$(mktemp)
files=$(mktemp)
{
  command -v node gst-inspect-1.0 gst-launch-1.0 fc-list fc-match aplay
  ls /usr/lib/*/gstreamer1.0/gstreamer-1.0/gst-plugin-scanner 2>/dev/null || true
  # Element or plugin names (video4linux2 registers its decoders only where
  # a codec device exists, so the plugin is named rather than v4l2h264dec).
  for e in "$@"; do
    gst-inspect-1.0 "$e" 2>/dev/null | awk '/^  Filename/ {print $2}'
  done
} >"$files"
while read -r f; do
  echo "$f"
  ldd "$f" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}'
done <"$files" | sort -u | while read -r f; do
  real=$(readlink -f "$f")
  dpkg -S "$f" 2>/dev/null || dpkg -S "$real" 2>/dev/null || dpkg -S "/usr$real" 2>/dev/null || dpkg -S "${f#/usr}" 2>/dev/null || true
done | cut -d: -f1 | tr ',' '\n' | sed 's/^ *//' | sort -u >"$keep"
dpkg-query -W -f='${Package}\n' | sort -u >"$files"
purge=$(comm -23 "$files" "$keep" | comm -23 - "$(sort -u "$before" >"$before.s"; echo "$before.s")" \
  | grep -vE '^(nodejs|gstreamer1\.0-.*|libgstreamer.*|libnode.*|node-.*|fonts-.*|fontconfig.*|libasound2-data|libdrm-common|ca-certificates|alsa-.*|v4l-utils|libglib2\.0-0t64|libglib2\.0-0|libpango.*|libcairo.*)$' || true)
echo "image-slim: keeping $(wc -l <"$keep") packages that run, purging $(echo "$purge" | grep -c . || true)"
# shellcheck disable=SC2086
[ -z "$purge" ] || dpkg --purge --force-depends --force-remove-protected $purge >/tmp/image-slim.log 2>&1 \
  || { tail -20 /tmp/image-slim.log; exit 1; }
rm -f /tmp/image-slim.log
rm -f "$keep" "$files" "$before.s"
