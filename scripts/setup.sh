#!/usr/bin/env bash
# Installs everything liveplayerd needs on Debian 12 (as root): GStreamer and
# its plugins, the build tools for the native binding, and with --test the
# servers and clients the test suite drives for real. Then npm ci and build.
# Idempotent: packages already present are not fetched again.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNTIME=(gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good
  gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav
  gstreamer1.0-alsa gstreamer1.0-pulseaudio gstreamer1.0-x gstreamer1.0-gl
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev
  python3 make g++ ffmpeg fonts-noto-cjk fonts-dejavu-core shared-mime-info)
TEST=(nginx libnginx-mod-rtmp libgl1-mesa-dri weston dbus-daemon dbus-bin libglib2.0-bin playerctl
  xvfb x11-apps chromium imagemagick systemd mpv procps iproute2
  pulseaudio libasound2-plugins tesseract-ocr tesseract-ocr-eng tesseract-ocr-chi-sim)

want=("${RUNTIME[@]}")
[[ "${1:-}" == "--test" || "${CI:-}" == "true" ]] && want+=("${TEST[@]}")

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "setup: need root to install: ${missing[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# The systemd unit runs as this user; the policy test needs a second, unprivileged one.
if [[ $(id -u) -eq 0 ]]; then
  getent group liveplayer >/dev/null || groupadd --system liveplayer
  id liveplayerd >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin -g liveplayer liveplayerd
  if [[ "${1:-}" == "--test" || "${CI:-}" == "true" ]]; then
    id lpstudent >/dev/null 2>&1 || useradd --no-create-home --shell /usr/sbin/nologin lpstudent
    id lpteacher >/dev/null 2>&1 || useradd --no-create-home --shell /usr/sbin/nologin -G liveplayer lpteacher
  fi
fi

# npm ci also applies patches/ to the binding and rebuilds it (postinstall).
if [[ ! -d node_modules/gstreamer-superficial/build ]] || [[ package-lock.json -nt node_modules/.package-lock.json ]] \
  || [[ -n $(find patches -newer node_modules/.package-lock.json -name '*.patch' 2>/dev/null) ]]; then
  npm ci --no-audit --no-fund
fi
npm run build --silent
