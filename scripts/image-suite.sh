#!/usr/bin/env bash
# Runs a named subset of the integration suite inside the amd64 image, on
# its GStreamer (Debian 13: 1.26) and its binding (compiled in the image's
# build stage against the 1.26 headers). Usage: scripts/image-suite.sh
# [test files...] (npm run image-suite); without arguments, SUBSET below.
# Needs root (Docker, debootstrap).
#
# The runtime image is built exactly as image-check.sh builds it (cached
# layers make a rebuild a few seconds) and stays as it is. A test image is
# built FROM it with what only the tests need: the servers and tools the
# helpers start (nginx-rtmp, ffmpeg, dbus-daemon, Xvfb, ImageMagick,
# tesseract), the dev node_modules (tap, typescript) and dist/ compiled
# from this tree. The image's own node_modules are laid over the dev ones,
# so the native modules are those of the image, never the host's.
# The tests run with host networking: every server listens on 127.0.0.1.
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/docker-env.sh
arch_setup amd64

# The engine (playback, start/stop, reconnection), the status codes, the TV
# (Xvfb + OCR) and D-Bus (LivePlayer1, MPRIS), plus the binding's own
# tests. Left out: codes/under-load (busy loops on both cores of a shared
# machine) and the suites of HTTP, the phone page, deployment and packaging,
# which do not touch GStreamer.
SUBSET=(
  engine/servers engine/video-only engine/audio-only engine/recorded-flv engine/long-gop
  engine/announced-video engine/demo engine/hygiene codes/reconnect-last-frame
  codes/connection codes/stream codes/degradation codes/decoder-switch codes/stutter
  tv/idle-screen tv/words-xvfb tv/failure-capture tv/rejoin
  dbus/start dbus/introspection dbus/live-player1-methods dbus/live-player1-properties
  dbus/live-player1-signals dbus/mpris dbus/daemon-e2e dbus/robustness dbus/transport-abort
  binding/property-reads binding/element-cache
)
# engine/hygiene's 2000 sessions take a quarter of an hour on this machine;
# 300 still show whether the control process returns to its baseline.
HYGIENE_CYCLES=${LIVEPLAYER_HYGIENE_CYCLES:-300}

if (($#)); then FILES=("$@"); else FILES=("${SUBSET[@]}"); fi
TESTS=()
for f in "${FILES[@]}"; do
  f=${f%.test.ts}; f=${f%.test.js}; f=${f#*test/integration/}; f=${f#dist/}
  [[ -f test/integration/$f.test.ts ]] || { echo "no test/integration/$f.test.ts" >&2; exit 2; }
  TESTS+=("dist/test/integration/$f.test.js")
done

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

ensure_docker
BASE=liveplayer-base:trixie-slim-$ARCH
IMAGE=liveplayerd-check:$ARCH
TEST_IMAGE=liveplayerd-suite:$ARCH
WORK=$(mktemp -d /tmp/liveplayer-image-suite.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

t0=$(now)
make_base "$BASE"
render_dockerfile "$BASE" >"$WORK/Dockerfile" || exit 1
if ! nice -n 10 docker build -q -f "$WORK/Dockerfile" -t "$IMAGE" . >"$WORK/build.log" 2>&1; then
  tail -30 "$WORK/build.log"; echo "image-suite: the runtime image does not build" >&2; exit 1
fi
t1=$(now)
echo "INFO  runtime image $IMAGE ready in $(secs "$t0" "$t1") s"

# The context of the test image: .dockerignore keeps test/ out of the
# runtime image's context, so this one is put together here.
CTX=$WORK/ctx
mkdir -p "$CTX"
cp -a package.json package-lock.json tsconfig.json src test bench scripts gst-pipelines "$CTX/"
cat >"$CTX/Dockerfile" <<DOCKERFILE
# Dev node_modules without install scripts: nothing is compiled here.
FROM $BASE AS dev
RUN apt-get update \\
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nodejs npm \\
 && rm -rf /var/lib/apt/lists/*
WORKDIR /usr/src/app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts \\
 && rm -rf node_modules/gstreamer-superficial node_modules/unix-dgram node_modules/usocket
# The image's production modules (the patched binding built against 1.26) win.
COPY --from=$IMAGE /usr/src/app/node_modules ./node_modules

FROM $IMAGE
# The runtime stage purges libraries only unused plugins link, ignoring
# their Depends; apt-get -f puts them back before anything can be added.
# The plugin registry built into the image is kept, so GStreamer sees the
# same elements as on a device. Fonts are the image's own (no Noto CJK).
RUN apt-get update \\
 && DEBIAN_FRONTEND=noninteractive apt-get -f install -y -q --no-install-recommends \\
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \\
      nginx libnginx-mod-rtmp ffmpeg dbus-daemon dbus-bin libglib2.0-bin playerctl xvfb x11-apps \\
      imagemagick tesseract-ocr tesseract-ocr-eng tesseract-ocr-chi-sim pulseaudio libasound2-plugins \\
      python3 openssl procps iproute2 util-linux \\
 && rm -rf /var/lib/apt/lists/*
COPY --from=dev /usr/src/app/node_modules ./node_modules
COPY . .
RUN rm -rf dist && node node_modules/typescript/bin/tsc -p . && rm Dockerfile
ENV NODE_ENV=test
DOCKERFILE
t2=$(now)
if ! nice -n 10 docker build -q -t "$TEST_IMAGE" "$CTX" >"$WORK/test-build.log" 2>&1; then
  tail -30 "$WORK/test-build.log"; echo "image-suite: the test image does not build" >&2; exit 1
fi
t3=$(now)
echo "INFO  test image $TEST_IMAGE built in $(secs "$t2" "$t3") s"

# The binding the tests load is the runtime image's, linked to GStreamer 1.26.
NODE_FILE=node_modules/gstreamer-superficial/build/Release/gstreamer-superficial.node
SUM_RUN=$(docker run --rm "$IMAGE" sha256sum "$NODE_FILE" | cut -c1-16)
SUM_TEST=$(docker run --rm "$TEST_IMAGE" sha256sum "$NODE_FILE" | cut -c1-16)
GST=$(docker run --rm "$TEST_IMAGE" sh -c "gst-inspect-1.0 --version | sed -n 2p; ldd $NODE_FILE | grep -o 'libgstreamer-1.0[^ ]*' | head -1")
echo "INFO  binding $SUM_TEST (runtime image: $SUM_RUN); $(tr '\n' ' ' <<<"$GST")"
[[ -n "$SUM_RUN" && "$SUM_RUN" == "$SUM_TEST" ]] || { echo "image-suite: the test image's binding is not the runtime image's" >&2; exit 1; }

echo "INFO  running ${#TESTS[@]} files: ${FILES[*]}"
t4=$(now)
# --init reaps the servers' children; tap runs one file at a time (2 shared
# cores), each with 900 s instead of 300 (tv/words-xvfb ran past 300 s in a loaded
# container).
: >"$WORK/tap.log"
docker run --rm --init --network host --shm-size 256m \
  -e LIVEPLAYER_HYGIENE_CYCLES="$HYGIENE_CYCLES" \
  "$TEST_IMAGE" node_modules/.bin/tap --jobs 1 --timeout 900 --reporter tap "${TESTS[@]}" >"$WORK/tap.log" 2>&1 &
TAP_PID=$!
# One line per file as it ends (the whole TAP stream: IMAGE_SUITE_LOG=file).
tail -n +1 -f --pid "$TAP_PID" "$WORK/tap.log" | grep --line-buffered -E '^(not )?ok [0-9]+ - dist/'
wait "$TAP_PID"
rc=$?
t5=$(now)
FILES_OK=$(grep -cE '^ok [0-9]+ - dist/' "$WORK/tap.log")
FILES_BAD=$(grep -cE '^not ok [0-9]+ - dist/' "$WORK/tap.log")
ASSERTS=$(grep -E '^# \{ total' "$WORK/tap.log" | tail -1)
echo "INFO  suite in the image: ${#TESTS[@]} files ($FILES_OK passed, $FILES_BAD failed), asserts ${ASSERTS#\# } in $(secs "$t4" "$t5") s, tap exit $rc"
[[ -n "${IMAGE_SUITE_LOG:-}" ]] && cp "$WORK/tap.log" "$IMAGE_SUITE_LOG"
exit "$rc"
