#!/usr/bin/env bash
# Installs the real MTAs mailhop can run as hops (`engine:` in a scenario), on Debian 12, as root.
# The four MTA packages conflict with each other in Debian (each Provides/Conflicts mail-transport-agent), so
# only Postfix is installed with apt; Sendmail, Exim and OpenSMTPD are unpacked with `dpkg -x`
# (no maintainer script runs, nothing is started) under MAILHOP_MTA_ROOT (default /opt/mailhop-mtas),
# next to the runtime libraries they need. Idempotent: a second run changes nothing and takes ~1 s.
#
#   sudo scripts/install-real-mtas.sh          # or: sudo npx mailhop install-mtas; then: npx mailhop doctor
#
# Nothing here starts a daemon: Debian's policy-rc.d (if any) keeps Postfix from starting, and
# mailhop runs every engine from a per-run folder with its own configuration.
set -euo pipefail

ROOT=${MAILHOP_MTA_ROOT:-/opt/mailhop-mtas}
export DEBIAN_FRONTEND=noninteractive

if [ "$(id -u)" != 0 ]; then
  echo "install-real-mtas: needs root (apt-get, adduser, chown); run it with sudo" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null || ! command -v dpkg >/dev/null; then
  echo "install-real-mtas: needs Debian (apt-get and dpkg); the real-MTA engines stay unavailable" >&2
  exit 1
fi

step() { printf 'install-real-mtas: %s\n' "$*"; }

# Runtime pieces: postfix (the one apt-installed MTA), m4 to build sendmail.cf, the libraries the
# unpacked binaries link against, util-linux for unshare/nsenter/mount, and postfix-mta-sts-resolver (Postfix's
# MTA-STS policy daemon, run beside a postfix hop with mtaSts: honor: test/engines/mta-sts-fidelity.test.ts).
PACKAGES=(postfix openssl m4 util-linux mount liblockfile1 libwrap0 libldap-2.5-0 libidn12 libgnutls-dane0 libevent-2.1-7 postfix-mta-sts-resolver)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  step "apt-get install ${missing[*]}"
  # "No configuration": no /etc/postfix/main.cf, nothing listening on port 25.
  echo 'postfix postfix/main_mailer_type select No configuration' | debconf-set-selections
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The three unpacked MTAs. Each root gets a stamp with the .deb version; a different version re-unpacks.
mkdir -p "$ROOT/debs"
chmod 755 "$ROOT"
unpack() { # unpack <root-name> <package...>
  local name=$1; shift
  local want stamp="$ROOT/$name/.mailhop-stamp"
  want=$(for p in "$@"; do apt-cache policy "$p" 2>/dev/null | awk '/Candidate:/ {print $2}'; done | tr '\n' ' ')
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ "$want" != "" ]; then return 0; fi
  # No candidate (apt lists never fetched, or cleaned): fetch them once.
  if [ -z "${want// /}" ] || [[ "$want" == *"(none)"* ]]; then
    apt-get update -qq
    want=$(for p in "$@"; do apt-cache policy "$p" | awk '/Candidate:/ {print $2}'; done | tr '\n' ' ')
  fi
  step "unpacking $* into $ROOT/$name"
  rm -rf "$ROOT/$name" "$ROOT/debs/$name"
  mkdir -p "$ROOT/debs/$name"
  # apt-get download runs as _apt when it can; the folder must be writable by it.
  chmod 777 "$ROOT/debs/$name"
  (cd "$ROOT/debs/$name" && apt-get download -qq "$@" 2>&1 | grep -v 'unsandboxed' || true)
  for deb in "$ROOT/debs/$name"/*.deb; do dpkg -x "$deb" "$ROOT/$name"; done
  chmod 755 "$ROOT/$name"
  echo "$want" > "$stamp"
}
unpack sendmail sendmail-bin sendmail-cf
unpack exim exim4-daemon-light
unpack opensmtpd opensmtpd

# Exim is built for the user Debian-exim (exim4-config's postinst would create it; `mail` fails: docs/engines.md#exim).
getent passwd Debian-exim >/dev/null ||
  useradd --system --user-group --home-dir /var/spool/exim4 --no-create-home --shell /usr/sbin/nologin Debian-exim
# smtpctl must be setgid opensmtpq; that group (gid 60902) exists only inside OpenSMTPD's mount namespace.
chown root:60902 "$ROOT/opensmtpd/usr/sbin/smtpctl" && chmod 2755 "$ROOT/opensmtpd/usr/sbin/smtpctl"

for bin in /usr/sbin/postfix "$ROOT/sendmail/usr/libexec/sendmail/sendmail" "$ROOT/exim/usr/sbin/exim4" "$ROOT/opensmtpd/usr/sbin/smtpd"; do
  if [ ! -x "$bin" ]; then echo "install-real-mtas: $bin is missing after the install" >&2; exit 1; fi
  if ldd "$bin" 2>/dev/null | grep -q 'not found'; then
    echo "install-real-mtas: $bin lacks libraries: $(ldd "$bin" | grep 'not found' | tr -s ' \t' ' ')" >&2
    exit 1
  fi
done
step "ready: postfix $(dpkg-query -W -f='${Version}' postfix), sendmail, exim, opensmtpd under $ROOT"
