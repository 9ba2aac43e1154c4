#!/usr/bin/env bash
# Installs the .deb in a Debian 13 container booted with systemd as PID 1
# and checks it as an admin would see it. Usage:
#   scripts/deb-check.sh amd64|arm64|armhf [--quick]
# --quick (the default for ARM under emulation): install, start, READY and
# the HTTP API only. Builds the .deb first if artifacts/deb has none.
# No --privileged: CAP_SYS_ADMIN, tmpfs on /run and the host's cgroups are
# enough for systemd. One line per check; non-zero exit on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
source scripts/lib/docker-env.sh
arch_setup "${1:-}"
QUICK=0
[[ "${2:-}" == --quick || -n "$QEMU" ]] && QUICK=1
[[ "${2:-}" == --full ]] && QUICK=0

FAILED=0

ensure_docker
ensure_binfmt
T0=$(now)
VERSION=$(node -p 'require("./package.json").version')
DEB=$ROOT/artifacts/deb/liveplayerd_${VERSION}_${ARCH}.deb
[[ -f "$DEB" ]] || bash scripts/deb.sh "$ARCH" >/dev/null || { fail "npm run deb -- $ARCH"; exit 1; }
# The same package with a bumped version, for the upgrade.
DEB2=$ROOT/artifacts/deb/liveplayerd_${VERSION}+check1_${ARCH}.deb
if ((!QUICK)) && [[ ! -f "$DEB2" || "$DEB2" -ot "$DEB" ]]; then
  T=$(mktemp -d); dpkg-deb -R "$DEB" "$T/p"
  sed -i "s/^Version: .*/Version: ${VERSION}+check1/" "$T/p/DEBIAN/control"
  dpkg-deb --root-owner-group -Zxz --build "$T/p" "$DEB2" >/dev/null; rm -rf "$T"
fi
pass "package $(basename "$DEB") ($(( $(stat -c %s "$DEB") / 1000 )) kB)"

BASE0=liveplayer-base:trixie-systemd-$ARCH
make_base "$BASE0" systemd,systemd-sysv,dbus,libglib2.0-bin,curl,procps
# The package's Depends (nodejs, GStreamer: ~4 min to fetch and unpack)
# are installed once into a derived image; apt still resolves them for the
# .deb at each run.
BASE=liveplayer-base:trixie-systemd-deps-$ARCH
if ! docker image inspect "$BASE" >/dev/null 2>&1; then
  DEPS=$(dpkg-deb -f "$DEB" Depends | tr ',' '\n' | sed -E 's/\|.*//; s/\(.*\)//; s/ //g' | grep . | tr '\n' ' ')
  docker rm -f lp-deb-deps-$$ >/dev/null 2>&1
  docker run --name lp-deb-deps-$$ "$BASE0" sh -c "apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $DEPS >/dev/null && apt-get clean && rm -rf /var/lib/apt/lists/*" \
    && docker commit -c 'CMD ["/lib/systemd/systemd"]' lp-deb-deps-$$ "$BASE" >/dev/null
  docker rm -f lp-deb-deps-$$ >/dev/null 2>&1
fi
C=lp-deb-check-$ARCH-$$
if [[ -n "$QEMU" ]]; then
  # Under qemu-user, systemd cannot supervise the unit: PID 1 (systemd 257)
  # spawns every unit through clone3/CLONE_PIDFD/CLONE_INTO_CGROUP, which
  # qemu 7.2 (Debian 12's) answers with EINVAL ("Failed to spawn executor:
  # Invalid argument", every unit fails with result 'resources'), and the
  # unit's SystemCallArchitectures=native and SystemCallFilter= would be
  # enforced by the host kernel against qemu's own x86-64 system calls.
  # So the package is installed with apt in a plain container of that
  # architecture, and the daemon is started as the unit starts it (its
  # ExecStart, Environment and EnvironmentFile, user and groups, state
  # directory) beside a system dbus-daemon. What systemd adds (READY,
  # watchdog, Restart=, the sandbox) is the same on every architecture and
  # is checked on amd64.
  trap 'docker rm -f "$C" >/dev/null 2>&1' EXIT
  echo "INFO  $ARCH under $QEMU: no systemd as PID 1 (qemu-user cannot spawn its units); the unit's start is reproduced"
  docker run -d --name "$C" -v "$DEB:/tmp/pkg/$(basename "$DEB"):ro" "$BASE" sleep infinity >/dev/null \
    || { fail "a $ARCH container starts"; exit 1; }
  x() { docker exec "$C" "$@"; }
  wait_for() { local until=$(( $(date +%s) + $1 )); shift; until "$@"; do (( $(date +%s) > until )) && return 1; sleep 0.5; done; }
  t=$(now)
  x sh -c "DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends /tmp/pkg/$(basename "$DEB")" >/tmp/lp-deb-install-$ARCH.log 2>&1
  check "apt install ./$(basename "$DEB") with its Depends in $(secs "$t" "$(now)") s (log /tmp/lp-deb-install-$ARCH.log)" sh -c "docker exec $C dpkg-query -W -f='\${Status}' liveplayerd | grep -q 'install ok installed'"
  IDS=$(x id liveplayerd 2>&1)
  check "postinst made user liveplayerd in liveplayer, video, audio, render ($IDS)" bash -c 'for g in liveplayer video audio render; do grep -q "($g)" <<<"$0" || exit 1; done' "$IDS"
  check "postinst enabled the unit (multi-user.target.wants)" x test -L /etc/systemd/system/multi-user.target.wants/liveplayerd.service
  # The unit's own lines, read from the installed file.
  UNIT=/usr/lib/systemd/system/liveplayerd.service
  EXEC=$(x sed -n 's/^ExecStart=//p' "$UNIT")
  ENVS=$(x sed -n 's/^Environment=//p' "$UNIT" | sed 's#%S#/var/lib#g' | tr '\n' ' ')
  x sh -c 'echo LIVEPLAYER_DEMO=true >> /etc/default/liveplayerd; echo LIVEPLAYER_VIDEO_SINK=fake >> /etc/default/liveplayerd; echo LIVEPLAYER_AUDIO_SINK=fake >> /etc/default/liveplayerd'
  x sh -c 'mkdir -p /run/dbus && dbus-daemon --system --fork' || fail "a system dbus-daemon starts"
  x sh -c 'install -d -m 0750 -o liveplayerd -g liveplayer /var/lib/liveplayerd'
  t=$(now)
  docker exec -d "$C" sh -c "umask 0027; cd /; env $ENVS \$(grep -E '^[A-Z_]+=' /etc/default/liveplayerd | tr '\n' ' ') \
    runuser -u liveplayerd -g liveplayer -- $EXEC >/tmp/lp.log 2>&1; echo \$? >/tmp/lp.exit"
  healthy() { x curl -sf -m 5 -o /dev/null http://127.0.0.1:8080/healthz; }
  wait_for 240 healthy
  check "the unit's ExecStart ($EXEC) as liveplayerd:liveplayer serves /healthz in $(secs "$t" "$(now)") s" healthy
  # Under qemu the command line starts with the interpreter: match on cli.js.
  OWNER=$(x ps -eo user:32=,group:32=,args= | grep '[d]ist/src/cli.js' | grep -v '^root ' | head -1 | awk '{print $1, $2}')
  check "runs as user liveplayerd, group liveplayer ($OWNER)" test "$OWNER" = "liveplayerd liveplayer"
  TOKEN=$(x cat /var/lib/liveplayerd/token 2>/dev/null)
  playing() { x grep -q '"code":2004' /tmp/lp.log; }
  wait_for 240 playing
  check "--demo set in /etc/default/liveplayerd reaches 2004 in $(secs "$t" "$(now)") s after start" playing
  STATE=$(x curl -sf -m 5 -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8080/api/v1/player | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{console.log(JSON.parse(s).state)}catch{console.log("")}})')
  check "the HTTP API answers with the token from the state directory (/var/lib/liveplayerd/token; state: ${STATE:-no answer})" test -n "$STATE"
  x sh -c 'id lpteacher >/dev/null 2>&1 || { useradd -m lpteacher && usermod -a -G liveplayer lpteacher; }; id lpstudent >/dev/null 2>&1 || useradd -m lpstudent'
  call() { x su -s /bin/sh "$1" -c "gdbus call --system --dest org.liveplayerd --object-path /org/liveplayerd/Player --method org.liveplayerd.LivePlayer1.$2" 2>&1; }
  OUT=$(call lpteacher Play)
  check "the package's D-Bus policy: a member of liveplayer calls Play (${OUT//$'\n'/ })" test "$OUT" = "()"
  OUT=$(call lpstudent Play)
  check "another user is refused (${OUT:0:90}...)" grep -q AccessDenied <<<"$OUT"
  t=$(now)
  x pkill -TERM -u liveplayerd -f dist/src/cli.js
  stopped() { x test -s /tmp/lp.exit; }
  wait_for 30 stopped
  CODE=$(x cat /tmp/lp.exit 2>/dev/null)
  check "SIGTERM (what systemctl stop sends): exit ${CODE:-none} in $(secs "$t" "$(now)") s" test "$CODE" = 0
  echo "INFO  $ARCH install-and-start check in $(secs "$T0" "$(now)") s"
  ((FAILED)) && { echo "deb-check $ARCH: FAILED"; x tail -20 /tmp/lp.log; exit 1; }
  echo "deb-check $ARCH (install and start, no systemd under qemu): all checks passed"; exit 0
fi
trap 'docker rm -f "$C" >/dev/null 2>&1' EXIT
# systemd as PID 1: it needs to mount (SYS_ADMIN), a writable /run and
# the cgroup tree; the container's own cgroup namespace keeps it off the host's.
docker run -d --name "$C" --cap-add SYS_ADMIN --security-opt seccomp=unconfined --security-opt apparmor=unconfined \
  --cgroupns=private --tmpfs /run --tmpfs /run/lock --tmpfs /tmp \
  -v "$DEB:/tmp/pkg/$(basename "$DEB"):ro" ${DEB2:+$( ((QUICK)) || echo "-v $DEB2:/tmp/pkg/$(basename "$DEB2"):ro")} \
  -e container=docker --stop-signal SIGRTMIN+3 \
  "$BASE" /lib/systemd/systemd >/dev/null || { fail "a container with systemd as PID 1 starts"; exit 1; }
x() { docker exec "$C" "$@"; }
wait_for() { local until=$(( $(date +%s) + $1 )); shift; until "$@"; do (( $(date +%s) > until )) && return 1; sleep 0.5; done; }
booted() { local s; s=$(x systemctl is-system-running 2>/dev/null); [[ "$s" == running || "$s" == degraded ]]; }
BOOT=$([[ -n "$QEMU" ]] && echo 300 || echo 60)
wait_for "$BOOT" booted
check "systemd runs as PID 1 ($(x systemctl is-system-running 2>&1), $(x readlink /proc/1/exe))" booted
x sh -c 'echo "systemd failed units:"; systemctl --failed --no-legend' | grep -v '^systemd failed units:$' || true

t=$(now)
x sh -c "DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends /tmp/pkg/$(basename "$DEB")" >/tmp/lp-deb-install-$ARCH.log 2>&1
check "apt install ./$(basename "$DEB") with its Depends in $(secs "$t" "$(now)") s (log /tmp/lp-deb-install-$ARCH.log)" sh -c "docker exec $C dpkg-query -W -f='\${Status}' liveplayerd | grep -q 'install ok installed'"
active() { [[ "$(x systemctl show -p ActiveState,SubState --value liveplayerd | tr '\n' ' ')" == "active running " ]]; }
START=$([[ -n "$QEMU" ]] && echo 240 || echo 30)
t=$(now)
wait_for "$START" active
check "the unit is active/running after install ($(x systemctl show -p ActiveState,SubState,Type liveplayerd | tr '\n' ' ')) in $(secs "$t" "$(now)") s" active
# Type=notify: ActiveState only becomes active after READY=1.
check "READY=1 reached systemd (Type=notify, StatusErrno/Result: $(x systemctl show -p Result --value liveplayerd))" \
  test "$(x systemctl show -p Result --value liveplayerd)" = success
OWNER=$(x ps -o user:32=,group:32= -p "$(x systemctl show -p MainPID --value liveplayerd)" | xargs)
check "runs as user liveplayerd, group liveplayer ($OWNER)" test "$OWNER" = "liveplayerd liveplayer"
PORT=8080
TOKEN() { x cat /var/lib/liveplayerd/token; }
api() { x curl -sf -m 5 -H "Authorization: Bearer $(TOKEN)" "$@"; }
field() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{const v=JSON.parse(s);console.log(eval("v."+process.argv[1]))}catch{console.log("")}})' "$1"; }
check "the HTTP API answers with the token from the state directory (/var/lib/liveplayerd/token)" sh -c "[ -n \"\$(docker exec $C curl -sf -m 5 -H 'Authorization: Bearer $(TOKEN)' http://127.0.0.1:$PORT/api/v1/player)\" ]"

if ((QUICK)); then
  echo "INFO  $ARCH quick check in $(secs "$T0" "$(now)") s"
  ((FAILED)) && { echo "deb-check $ARCH: FAILED"; x journalctl -u liveplayerd --no-pager | tail -20; exit 1; }
  echo "deb-check $ARCH (install and start): all checks passed"; exit 0
fi

# Watchdog: WatchdogSec is set and the last ping is recent.
sleep 11
WDSEC=$(x systemctl show -p WatchdogUSec --value liveplayerd)
LAST=$(x sh -c 'date -d "$(systemctl show -p WatchdogTimestamp --value liveplayerd)" +%s' 2>/dev/null || echo 0)
AGO=$(( $(x date +%s) - LAST ))
STARTED=$(x sh -c 'date -d "$(systemctl show -p ExecMainStartTimestamp --value liveplayerd)" +%s')
check "the watchdog is fed (WatchdogUSec=$WDSEC, last ping ${AGO} s ago, $(( LAST - STARTED )) s after start)" \
  test "$LAST" -gt "$STARTED" -a "$AGO" -lt 20

# --demo through /etc/default/liveplayerd
x sh -c 'echo LIVEPLAYER_DEMO=true >> /etc/default/liveplayerd; echo LIVEPLAYER_VIDEO_SINK=fake >> /etc/default/liveplayerd; echo LIVEPLAYER_AUDIO_SINK=fake >> /etc/default/liveplayerd'
x systemctl restart liveplayerd
# 2004 is logged by the daemon; lastCode moves on to 2005 (net status) at once.
playing() { x sh -c 'journalctl -o cat _SYSTEMD_INVOCATION_ID=$(systemctl show -p InvocationID --value liveplayerd) | grep -q "\"code\":2004"'; }
t=$(now)
wait_for 60 playing
check "--demo set in /etc/default/liveplayerd reaches 2004 in $(secs "$t" "$(now)") s" playing

# D-Bus policy: a member of liveplayer may call Play, another user may not.
x sh -c 'id lpteacher >/dev/null 2>&1 || { useradd -m lpteacher && usermod -a -G liveplayer lpteacher; }; id lpstudent >/dev/null 2>&1 || useradd -m lpstudent'
call() { x su -s /bin/sh "$1" -c "gdbus call --system --dest org.liveplayerd --object-path /org/liveplayerd/Player --method org.liveplayerd.LivePlayer1.$2" 2>&1; }
OUT=$(call lpteacher Play)
check "a member of liveplayer calls Play over the system bus (${OUT//$'\n'/ })" test "$OUT" = "()"
OUT=$(call lpstudent Play)
check "another user is refused (${OUT:0:90}...)" grep -q AccessDenied <<<"$OUT"
OUT=$(x su -s /bin/sh lpstudent -c "gdbus call --system --dest org.liveplayerd --object-path /org/liveplayerd/Player --method org.freedesktop.DBus.Properties.Get org.liveplayerd.LivePlayer1 State" 2>&1)
check "another user may read properties (State: $OUT)" grep -q "'" <<<"$OUT"

# kill -9 brings it back (Restart=always).
PID1=$(x systemctl show -p MainPID --value liveplayerd)
x kill -9 "$PID1"
t=$(now)
back() { local p; p=$(x systemctl show -p MainPID --value liveplayerd); [[ "$p" != 0 && "$p" != "$PID1" ]] && active; }
wait_for 90 back
check "kill -9 of the daemon: systemd restarts it (new pid, active in $(secs "$t" "$(now)") s, NRestarts=$(x systemctl show -p NRestarts --value liveplayerd))" back
wait_for 60 playing
check "and it plays again (2004)" playing

# systemctl stop ends it cleanly.
t=$(now)
x systemctl stop liveplayerd
STOPPED="$(x systemctl show -p ActiveState --value liveplayerd) $(x systemctl show -p Result --value liveplayerd) $(x systemctl show -p ExecMainStatus --value liveplayerd)"
check "systemctl stop: inactive, result success, exit 0 in $(secs "$t" "$(now)") s ($STOPPED)" test "$STOPPED" = "inactive success 0"

# Upgrade keeps the config and the token.
x sh -c 'echo "{\"name\": \"Room 12\"}" > /etc/liveplayerd/config.json'
x systemctl start liveplayerd
wait_for 30 active
TOK1=$(TOKEN)
x sh -c "DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold /tmp/pkg/$(basename "$DEB2")" >>/tmp/lp-deb-install-$ARCH.log 2>&1
wait_for 30 active
NAME=$(x cat /etc/liveplayerd/config.json | tr -d '\n ')
check "upgrade to ${VERSION}+check1: config kept ($NAME), /etc/default kept, token kept, active again" \
  test "$(x dpkg-query -W -f='${Version}' liveplayerd)" = "${VERSION}+check1" -a "$NAME" = '{"name":"Room12"}' -a "$TOK1" = "$(TOKEN)" -a -n "$TOK1"
check "  (/etc/default/liveplayerd still has LIVEPLAYER_DEMO)" x grep -q LIVEPLAYER_DEMO=true /etc/default/liveplayerd
active; check "  the unit runs the upgraded package" active

# A config that does not parse: one line in the journal, exit 2, no loop.
x sh -c 'cp /etc/liveplayerd/config.json /tmp/good.json; echo "{ name: oops" > /etc/liveplayerd/config.json'
N0=$(x systemctl show -p NRestarts --value liveplayerd)
x systemctl restart liveplayerd
sleep 6
N1=$(x systemctl show -p NRestarts --value liveplayerd)
STATE="$(x systemctl show -p ActiveState --value liveplayerd) $(x systemctl show -p Result --value liveplayerd) $(x systemctl show -p NRestarts --value liveplayerd) $(x systemctl show -p ExecMainStatus --value liveplayerd) "
LINE=$(x journalctl -u liveplayerd --no-pager -o cat | grep -m1 -- '--config:' || true)
check "a config that does not parse: unit failed, exit 2, no restarts in 6 s (state result NRestarts status: $STATE; before: $N0)" \
  grep -qE "^failed exit-code ($N0|0) 2 \$" <<<"$STATE"
check "  the daemon's one-line message is in the journal: $LINE" test -n "$LINE"
x sh -c 'cp /tmp/good.json /etc/liveplayerd/config.json'

# Purge removes everything.
x sh -c 'DEBIAN_FRONTEND=noninteractive apt-get purge -y -q liveplayerd' >>/tmp/lp-deb-install-$ARCH.log 2>&1
LEFT=$(x sh -c 'ls -d /usr/lib/liveplayerd /etc/liveplayerd /etc/default/liveplayerd /var/lib/liveplayerd /usr/lib/systemd/system/liveplayerd.service /usr/share/dbus-1/system.d/org.liveplayerd.conf /etc/systemd/system/multi-user.target.wants/liveplayerd.service 2>/dev/null; getent passwd liveplayerd; getent group liveplayer' | tr '\n' ' ')
check "purge removes files, state, conffiles, user and group${LEFT:+ (left: $LEFT)}" test -z "$LEFT"

echo "INFO  $ARCH full check in $(secs "$T0" "$(now)") s"
if ((FAILED)); then echo "deb-check $ARCH: FAILED"; exit 1; fi
echo "deb-check $ARCH: all checks passed"
