# Shared by image-check.sh, deb.sh and deb-check.sh (sourced, not run).
# A Docker engine, binfmt for ARM, and a local Debian base made with
# debootstrap + docker import: no registry is needed, only Debian's mirror.

# amd64|arm64|armhf -> Debian architecture, balena machine name, qemu binary.
arch_setup() {
  ARCH=$1
  case "$ARCH" in
    amd64) MACHINE=genericx86-64-ext; QEMU= ;;
    arm64) MACHINE=raspberrypi4-64; QEMU=qemu-aarch64 ;;
    armhf) MACHINE=raspberrypi3; QEMU=qemu-arm ;;
    *) echo "usage: $0 amd64|arm64|armhf" >&2; exit 2 ;;
  esac
  DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
}

ensure_docker() {
  if ! docker info >/dev/null 2>&1; then
    if ! command -v dockerd >/dev/null; then
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q docker.io >/dev/null
    fi
    if ! docker info >/dev/null 2>&1; then
      (nohup dockerd >/tmp/liveplayer-dockerd.log 2>&1 &)
      for _ in $(seq 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
    fi
  fi
  docker info >/dev/null 2>&1 || { echo "no Docker engine (see /tmp/liveplayer-dockerd.log)" >&2; exit 3; }
}

ensure_binfmt() {
  [[ -z "$QEMU" ]] && return 0
  command -v "$QEMU-static" >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q qemu-user-static binfmt-support >/dev/null
  [[ -e /proc/sys/fs/binfmt_misc/register ]] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
  # The F flag (fix binary) lets the interpreter run inside containers.
  [[ -e /proc/sys/fs/binfmt_misc/${QEMU} ]] || update-binfmts --enable "$QEMU" 2>/dev/null || update-binfmts --import "$QEMU"
  grep -q '^flags:.*F' "/proc/sys/fs/binfmt_misc/${QEMU}" || { echo "binfmt ${QEMU} lacks the F flag" >&2; exit 3; }
}

# Debian 13 made as Docker's debian:trixie-slim is (minbase, no docs, man
# pages or locales), tagged liveplayer-base:trixie-slim-<arch>, with
# $1 = extra packages (systemd for the unit check). The host's CA
# certificates go in, so apt and npm inside reach the registries through
# this machine's TLS-inspecting egress; NODE_EXTRA_CA_CERTS points Node at them.
make_base() {
  local tag=$1 extra=${2:-}
  docker image inspect "$tag" >/dev/null 2>&1 && return 0
  command -v debootstrap >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap >/dev/null
  local root; root=$(mktemp -d /var/tmp/liveplayer-base.XXXXXX)
  local inc=ca-certificates${extra:+,$extra}
  debootstrap --arch="$ARCH" --variant=minbase --include="$inc" trixie "$root" "$DEBIAN_MIRROR" >"$root.log" 2>&1 \
    || { tail -20 "$root.log" >&2; rm -rf "$root"; exit 3; }
  cat >"$root/etc/dpkg/dpkg.cfg.d/docker-slim" <<'SLIM'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
path-exclude /usr/share/lintian/*
SLIM
  rm -f "$root/etc/apt/sources.list"
  cat >"$root/etc/apt/sources.list.d/debian.sources" <<SRC
Types: deb
URIs: ${DEBIAN_MIRROR}
Suites: trixie trixie-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${DEBIAN_MIRROR%/debian}/debian-security
Suites: trixie-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/" 2>/dev/null || true
  chroot "$root" update-ca-certificates >/dev/null 2>&1 || cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
  # As debuerreotype slims debian:*-slim: no docs, man pages or translations,
  # and apt drops downloaded packages after installing them.
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* "$root"/usr/share/man/* \
    "$root"/usr/share/info/*
  find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
  echo 'DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };' \
    >"$root/etc/apt/apt.conf.d/docker-clean"
  tar -C "$root" -c . | docker import \
    --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["bash"]' - "$tag" >/dev/null
  rm -rf "$root" "$root.log"
}

# Dockerfile.template rendered as balena renders it for $MACHINE/$ARCH, its
# public base swapped for the local one ($1), on stdout. Fails (message on
# stderr) if a placeholder is left or the template no longer starts FROM
# debian:trixie-slim.
render_dockerfile() {
  local base=$1 out
  out=$(sed -e "s/%%BALENA_MACHINE_NAME%%/$MACHINE/g" -e "s/%%BALENA_ARCH%%/$ARCH/g" Dockerfile.template \
    | sed -E "s#^FROM debian:trixie-slim\b#FROM $base#")
  grep -q '%%' <<<"$out" && { echo "Dockerfile.template renders with placeholders left" >&2; return 1; }
  grep -q "^FROM $base" <<<"$out" || { echo "Dockerfile.template does not start FROM debian:trixie-slim" >&2; return 1; }
  printf '%s\n' "$out"
}

# One line per check for the image and package checks; FAILED=1 once any failed.
pass() { printf 'PASS  %s\n' "$*"; }
fail() { printf 'FAIL  %s\n' "$*"; FAILED=1; }
check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
