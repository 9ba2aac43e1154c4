#!/usr/bin/env bash
# Builds the balena image for one architecture here and checks it as a
# device would run it. Usage: scripts/image-check.sh amd64|arm64|armhf
# (npm run image-check -- arm64). Needs root (Docker, debootstrap, binfmt).
#
# Dockerfile.template is rendered as balena renders it; only the FROM base
# is swapped for a local Debian 13 made with debootstrap + docker import,
# since no registry is reachable here. No --platform: Docker 20.10 labels
# an imported base amd64 whatever it holds, and qemu runs the ARM binaries.
# Prints one line per check and exits non-zero if any failed.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
source scripts/lib/docker-env.sh
arch_setup "${1:-}"

FAILED=0

ensure_docker
ensure_binfmt
BASE=liveplayer-base:trixie-slim-$ARCH
IMAGE=liveplayerd-check:$ARCH
t0=$(now)
make_base "$BASE"
t1=$(now)
echo "INFO  base $BASE ready in $(secs "$t0" "$t1") s"

# Render as balena does (placeholders, if any, for this device type), then
# swap the public base for the local one.
WORK=$(mktemp -d /tmp/liveplayer-image-check.XXXXXX)
CIDS=()
DBUS_PID=
cleanup() {
  for c in "${CIDS[@]}"; do docker rm -f "$c" >/dev/null 2>&1; done
  docker volume rm -f "lp-check-$ARCH-$$" >/dev/null 2>&1
  [[ -n "$DBUS_PID" ]] && kill "$DBUS_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
render_dockerfile "$BASE" >"$WORK/Dockerfile" || { fail "Dockerfile.template renders for $ARCH with the local base"; exit 1; }

t2=$(now)
if ! nice -n 10 docker build -q -f "$WORK/Dockerfile" -t "$IMAGE" . >"$WORK/build.log" 2>&1; then
  tail -30 "$WORK/build.log"
  fail "image builds for $ARCH"
  exit 1
fi
t3=$(now)
SIZE=$(docker image inspect -f '{{.Size}}' "$IMAGE")
pass "image builds for $ARCH ($MACHINE) in $(secs "$t2" "$t3") s"
echo "INFO  image size $ARCH: $((SIZE / 1000000)) MB ($SIZE bytes)"
ARCH_IN=$(docker run --rm "$IMAGE" dpkg --print-architecture)
check "the image's binaries are $ARCH (dpkg says $ARCH_IN)" test "$ARCH_IN" = "$ARCH"

# --- GStreamer in the image
ELEMENTS=$(sed -e 's/#.*//' gst-pipelines/*.pipeline | tr '\n' ' ' | grep -oE '(^|!)[[:space:]]*[a-z][a-z0-9_]*([[:space:]]|$)' | tr -d '! ' | sort -u | tr '\n' ' ')
DEMO=$(grep -oE "'[^']*'" src/demo/demo-stream.ts | tr -d "'" | tr ' ' '\n' | grep -xE 'videotestsrc|timeoverlay|x264enc|h264parse|audiotestsrc|avenc_aac|aacparse|flvmux|rtmp2sink' | sort -u | tr '\n' ' ')
WANT="kmssink avdec_h264 alsasink $ELEMENTS $DEMO"
MISSING=$(docker run --rm "$IMAGE" sh -c 'for e in "$@"; do gst-inspect-1.0 --exists "$e" || echo "$e"; done' sh $WANT | tr '\n' ' ')
check "gst-inspect-1.0 finds $(echo $WANT | wc -w) elements (kmssink avdec_h264 alsasink, gst-pipelines/, the demo)${MISSING:+; missing: $MISSING}" test -z "$MISSING"
# v4l2h264dec is registered by the video4linux2 plugin only where a V4L2
# codec device (/dev/video10 on a Pi) exists: here the plugin must load, and
# on an ARM image the element is looked up in a container given a fake
# device list would prove nothing more.
V4L2=$(docker run --rm "$IMAGE" sh -c 'gst-inspect-1.0 video4linux2 2>&1 | grep -E "^  (Filename|Version)" | tr -s " " | tr "\n" " "')
check "v4l2h264dec: the video4linux2 plugin loads (${V4L2:-not found}; the element appears where /dev/video10 exists)" grep -q Filename <<<"$V4L2"
REG=$(docker run --rm "$IMAGE" sh -c 'before=$(stat -c %Y "$GST_REGISTRY"); gst-inspect-1.0 >/dev/null; test "$before" = "$(stat -c %Y "$GST_REGISTRY")" && echo kept')
check "the GStreamer registry is built into the image (a run does not rewrite it)" test "$REG" = kept
FAMILY=$(grep -oE 'font-desc="[^"]*"' gst-pipelines/idle.pipeline | head -1 | sed -E 's/font-desc="//; s/ (Bold )?[0-9]+"$//')
FONTS=$(docker run --rm "$IMAGE" sh -c 'fc-list :lang=zh-cn family' | tr '\n' ';')
HIT=
IFS=, read -ra FAMS <<<"$FAMILY"
for f in "${FAMS[@]}"; do grep -qF "$f" <<<"$FONTS" && HIT=$f; done
check "a font family of the idle screen's font-desc ($FAMILY) has Simplified Chinese: ${HIT:-none} (installed: $FONTS)" test -n "$HIT"
DOCS='find /usr/share/doc /usr/share/man /usr/share/info -type f ! -name copyright 2>/dev/null | sort'
# Docs the image adds (the local base is compared, not judged: it is made
# here, and Docker's debian:trixie-slim has none).
NEWDOCS=$(comm -13 <(docker run --rm "$BASE" sh -c "$DOCS") <(docker run --rm "$IMAGE" sh -c "$DOCS") | head -3 | tr '\n' ' ')
BAD=$(docker run --rm "$IMAGE" sh -c 'command -v gcc g++ cc make npm ffmpeg python3; dpkg -l | awk "/^ii/ && \$2 ~ /-dev(:|\$)/ {print \$2}"' | tr '\n' ' ')$NEWDOCS
check "no compilers, npm, ffmpeg, -dev packages or docs in the image${BAD:+: $BAD}" test -z "$BAD"
DEVMODS=$(docker run --rm "$IMAGE" sh -c 'ls node_modules | grep -xE "tap|typescript|patch-package|playwright-core|dockerfile-ast|jsqr"' | tr '\n' ' ')
check "production node_modules only${DEVMODS:+: $DEVMODS}" test -z "$DEVMODS"

# --- The daemon in a container, as the supervisor runs it
PORT=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
VOL=lp-check-$ARCH-$$
mkdir -p "$WORK/balena" "$WORK/dbus"
# A system bus on the host side, its socket mounted as balena mounts the
# host's (io.balena.features.dbus). Same uid (root) on both sides.
cat >"$WORK/dbus.conf" <<CONF
<busconfig><type>system</type><listen>unix:path=$WORK/dbus/system_bus_socket</listen>
<auth>EXTERNAL</auth><policy context="default"><allow user="*"/><allow own="*"/>
<allow send_type="method_call"/><allow send_destination="*"/><allow receive_sender="*"/></policy></busconfig>
CONF
dbus-daemon --config-file="$WORK/dbus.conf" --nofork --print-pid=3 3>"$WORK/dbus.pid" &
DBUS_PID=$!
for _ in $(seq 50); do [[ -S "$WORK/dbus/system_bus_socket" ]] && break; sleep 0.1; done
BUS=unix:path=$WORK/dbus/system_bus_socket

start() { # name, extra args...
  local name=$1; shift
  docker run -d --name "$name" --network host --stop-timeout 10 \
    -v "$VOL:/data/liveplayerd" -v "$WORK/balena:/tmp/balena" -v "$WORK/dbus:/host/run/dbus" \
    -e LIVEPLAYER_STATE_DIR=/data/liveplayerd -e DBUS_SYSTEM_BUS_ADDRESS=unix:path=/host/run/dbus/system_bus_socket \
    -e LIVEPLAYER_HTTP="127.0.0.1:$PORT" -e LIVEPLAYER_UPDATE_LOCK=on -e LIVEPLAYER_VIDEO_SINK=fake -e LIVEPLAYER_AUDIO_SINK=fake \
    "$@" "$IMAGE" node dist/src/cli.js --demo >/dev/null
  CIDS+=("$name")
}
token() { cat "$(docker volume inspect -f '{{.Mountpoint}}' "$VOL")/token" 2>/dev/null; }
api() { curl -sf -m 5 -H "Authorization: Bearer $(token)" "$@"; }
field() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{const v=JSON.parse(s);console.log(eval("v."+process.argv[1]))}catch{console.log("")}})' "$1"; }
wait_for() { # seconds, command...
  local until=$(( $(date +%s) + $1 )); shift
  until "$@"; do (( $(date +%s) > until )) && return 1; sleep 0.5; done
}
# 2004 is logged by the daemon; lastCode moves on to 2005 (net status) at once.
playing() { docker logs "$C1" 2>&1 | grep -q '"code":2004'; }

C1=lp-check-$ARCH-1-$$
t4=$(now)
start "$C1"
# Emulated ARM is several times slower than a board: a long first deadline.
DEADLINE=$([[ -n "$QEMU" ]] && echo 240 || echo 60)
if wait_for "$DEADLINE" playing; then pass "--demo reaches 2004 in $(secs "$t4" "$(now)") s"; else fail "--demo reaches 2004 (logs below)"; docker logs --tail 30 "$C1" 2>&1; fi
STATE=$(api "http://127.0.0.1:$PORT/api/v1/player" | field state)
check "the HTTP API answers with the token from the state volume (state: ${STATE:-no answer})" test "$STATE" = playing
NOAUTH=$(curl -s -o /dev/null -w '%{http_code}' -m 5 "http://127.0.0.1:$PORT/api/v1/player")
check "the HTTP API refuses a request without the token ($NOAUTH)" test "$NOAUTH" = 401
check "the update lock is held under /tmp/balena/ while playing" test -e "$WORK/balena/updates.lock"
DBUS_STATE=$(DBUS_SYSTEM_BUS_ADDRESS=$BUS dbus-send --system --print-reply=literal --dest=org.liveplayerd /org/liveplayerd/Player \
  org.freedesktop.DBus.Properties.Get string:org.liveplayerd.LivePlayer1 string:State 2>&1 | tr -s ' \n' ' ')
check "D-Bus through the mounted host bus socket: State is${DBUS_STATE}" grep -q playing <<<"$DBUS_STATE"
DBUS_MUTE=$(DBUS_SYSTEM_BUS_ADDRESS=$BUS dbus-send --system --print-reply --dest=org.liveplayerd /org/liveplayerd/Player org.liveplayerd.LivePlayer1.Mute 2>&1; api "http://127.0.0.1:$PORT/api/v1/player" | field attributes.muted)
check "D-Bus Mute() reaches the player (muted: $(tail -1 <<<"$DBUS_MUTE"))" test "$(tail -1 <<<"$DBUS_MUTE")" = true
api -X PATCH -H 'content-type: application/json' -d '{"orientation":"horizontal","objectFit":"fillCrop"}' "http://127.0.0.1:$PORT/api/v1/player" >/dev/null
TOKEN1=$(token)

t5=$(now)
docker kill -s TERM "$C1" >/dev/null
CODE=$(timeout 20 docker wait "$C1")
t6=$(now)
STOP=$(secs "$t5" "$t6")
check "SIGTERM: exit ${CODE:-none} in $STOP s (0 within 2 s)" awk -v c="${CODE:-x}" -v s="$STOP" 'BEGIN { exit !(c == "0" && s < 2) }'
check "the update lock is gone after stop" test ! -e "$WORK/balena/updates.lock"
docker rm "$C1" >/dev/null

C2=lp-check-$ARCH-2-$$
start "$C2"
wait_for "$DEADLINE" sh -c "curl -sf -m 2 http://127.0.0.1:$PORT/healthz >/dev/null"
TOKEN2=$(token)
ATTRS=$(api "http://127.0.0.1:$PORT/api/v1/player" | field 'attributes.objectFit+" "+v.attributes.muted')
check "the state volume survives docker rm and a new container (token kept: $([[ -n "$TOKEN1" && "$TOKEN1" == "$TOKEN2" ]] && echo yes || echo no); objectFit muted: $ATTRS)" \
  test -n "$TOKEN1" -a "$TOKEN1" = "$TOKEN2" -a "$ATTRS" = "fillCrop true"
docker rm -f "$C2" >/dev/null

echo "INFO  $ARCH: base $(secs "$t0" "$t1") s, build $(secs "$t2" "$t3") s, checks $(secs "$t3" "$(now)") s, image $((SIZE / 1000000)) MB"
if ((FAILED)); then echo "image-check $ARCH: FAILED"; exit 1; fi
echo "image-check $ARCH: all checks passed"
