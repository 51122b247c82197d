#!/usr/bin/env bash
# LemonLDAP::NG (Debian 12's 2.16) as an independent OpenID provider for the conformance suites: two portals,
# each its own authorization server, on loopback ports.
#
#   lemonldap.sh install              install the Debian packages that are missing (root, or password-less sudo)
#   lemonldap.sh start  [STATE_DIR]   (re)start both instances; writes STATE_DIR/env.sh with the secrets
#   lemonldap.sh stop   [STATE_DIR]   stop both instances
#   lemonldap.sh status [STATE_DIR]   say whether each instance answers discovery (exit 3 if one does not)
#
# STATE_DIR defaults to ${TMPDIR:-/tmp}/conformance-llng; each instance lives in STATE_DIR/a and STATE_DIR/b.
# Environment: LLNG_PORT_A / LLNG_PORT_B (5811 / 5812; the profile names these two); client secrets LLNG_SECRET_WEB,
# LLNG_SECRET_WEB2, LLNG_SECRET_SERVICE, LLNG_SECRET_PASSWORD (test values otherwise); LLNG_PASSWORD_DWHO /
# LLNG_PASSWORD_RTYLER must stay dwho / rtyler (the Demo backend's passwords are its user names): they exist so the
# profile can reference them; LLNG_WORKERS (starman workers per instance, 4); LLNG_LOG_LEVEL (notice).
# The target profile is fixtures/profiles/lemonldap.json.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
templates="$here/lemonldap"
state="${2:-${TMPDIR:-/tmp}/conformance-llng}"
port_a="${LLNG_PORT_A:-5811}"
port_b="${LLNG_PORT_B:-5812}"

# The portal's packages, a PSGI server, and modules Debian only recommends but the portal needs at run time
# (without them it answers 500 "Initialization failed"): the captcha module loads GD::SecurityImage with its
# ImageMagick back end even when no captcha is configured; the OIDC issuer needs String::Random, IO::String and
# Crypt::OpenSSL::Bignum. The FastCGI server only satisfies the portal's dependency on some web server without
# pulling Apache in.
packages=(liblemonldap-ng-portal-perl lemonldap-ng-fastcgi-server starman libcrypt-openssl-bignum-perl
  libgd-securityimage-perl libimage-magick-perl libstring-random-perl libio-string-perl openssl curl)

say() { echo "lemonldap: $*"; }
die() { echo "lemonldap: $*" >&2; exit 1; }

installed() { [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]; }

# Set when install made /usr/sbin/policy-rc.d itself, so that only that file is removed on exit.
made_policy=""
as_root=()
remove_policy() { [ -z "$made_policy" ] || "${as_root[@]}" rm -f "$made_policy"; }

apt_install() {
  # Other sessions may hold the dpkg lock: wait for it rather than fail.
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -y -q -o DPkg::Lock::Timeout=600 \
    install --no-install-recommends "$@"
}

cmd_install() {
  local missing=() p log rc
  command -v dpkg-query >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 ||
    die "dpkg-query or apt-get not found: this script installs from Debian packages only"
  for p in "${packages[@]}"; do installed "$p" || missing+=("$p"); done
  if [ ${#missing[@]} -eq 0 ]; then
    say "nothing to install (LemonLDAP::NG $(dpkg-query -W -f='${Version}' liblemonldap-ng-portal-perl) is there)"
    return 0
  fi

  if [ "$(id -u)" -ne 0 ]; then
    sudo -n true 2>/dev/null || die "not root and no password-less sudo: run '$0 install' as root"
    as_root=(sudo -n)
  fi

  # No service may start while packages install; a policy that is already there is left as it is.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    trap remove_policy EXIT
    printf '#!/bin/sh\nexit 101\n' | "${as_root[@]}" tee /usr/sbin/policy-rc.d >/dev/null
    "${as_root[@]}" chmod 755 /usr/sbin/policy-rc.d
    made_policy=/usr/sbin/policy-rc.d
  fi

  say "installing: ${missing[*]}"
  log="$(mktemp)"
  rc=0
  apt_install "${missing[@]}" 2>&1 | tee "$log" || rc=$?
  if [ "$rc" -ne 0 ]; then
    # Update the package lists only when they are missing or do not know the packages.
    if grep -qE "Unable to locate package|has no installation candidate|is not available|Failed to fetch" "$log"; then
      rm -f "$log"
      say "the package lists are missing or out of date: apt-get update"
      "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=600 update ||
        die "apt-get update failed, so ${missing[*]} cannot be installed"
      apt_install "${missing[@]}" || die "apt-get install failed for: ${missing[*]}"
    else
      rm -f "$log"
      die "apt-get install failed for: ${missing[*]} (its output is above)"
    fi
  fi
  rm -f "$log"

  for p in "${missing[@]}"; do installed "$p" || die "$p is still not installed"; done
  say "installed: ${missing[*]} (LemonLDAP::NG $(dpkg-query -W -f='${Version}' liblemonldap-ng-portal-perl))"
}

# Instance names, their ports and cookie names: two portals on one host share cookies unless the names differ
# (cookies ignore the port).
instances=(a b)
port_of() { if [ "$1" = a ]; then echo "$port_a"; else echo "$port_b"; fi; }

# Test values, overridable from the environment. LemonLDAP::NG reads client_secret_basic with
# /^Basic (\w+)/ and splits the decoded pair on every ':', so a secret whose Basic encoding holds '+' or '/',
# or a secret with ':', is refused: start checks for that.
secret_web="${LLNG_SECRET_WEB:-web-app-secret-01}"
secret_web2="${LLNG_SECRET_WEB2:-web-app-2-secret-01}"
secret_service="${LLNG_SECRET_SERVICE:-svc-app-secret-01}"
secret_password="${LLNG_SECRET_PASSWORD:-trusted-app-secret}"
# The Demo backend's password is the user name; these exist so the profile never holds a literal password.
password_dwho="${LLNG_PASSWORD_DWHO:-dwho}"
password_rtyler="${LLNG_PASSWORD_RTYLER:-rtyler}"

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

discovery_status() {
  curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$1/.well-known/openid-configuration" 2>/dev/null || true
}

check_secret() {
  local id="$1" secret="$2" encoded
  case "$secret" in *:*) die "the secret of $id must not contain ':' (LemonLDAP::NG splits client_secret_basic on every ':')" ;; esac
  encoded="$(printf '%s:%s' "$id" "$secret" | base64 -w0)"
  [[ "$encoded" =~ ^[A-Za-z0-9]+=*$ ]] ||
    die "the secret of $id gives a Basic header with '+' or '/', which LemonLDAP::NG 2.16 cuts short (it reads /^Basic (\\w+)/): choose another"
}

stop_instance() {
  local dir="$state/$1" pid i
  [ -f "$dir/starman.pid" ] || return 0
  pid="$(cat "$dir/starman.pid")"
  if kill -0 "$pid" 2>/dev/null; then
    # TERM to the master: starman stops its workers and exits. It was started by setsid, so its process
    # group is its own: KILL that group if it does not stop in time.
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && kill -KILL -- "-$pid" 2>/dev/null || true
    say "stopped instance $1 (pid $pid)"
  fi
  rm -f "$dir/starman.pid"
}

# Fills a template: @NAME@ becomes the value of the environment variable T_NAME. The JSON template is decoded
# and re-encoded, so values (PEM keys with newlines, secrets) need no escaping.
fill_json() {
  perl -MJSON -e '
    local $/; open my $in, "<", $ARGV[0] or die "$ARGV[0]: $!"; my $conf = decode_json(<$in>);
    sub fill { my $v = shift;
      if (ref $v eq "HASH") { $v->{$_} = fill($v->{$_}) for keys %$v; return $v }
      if (ref $v eq "ARRAY") { return [ map { fill($_) } @$v ] }
      return $v unless defined $v && !ref $v && $v =~ /\@/;
      $v =~ s/\@([A-Z0-9_]+)\@/defined $ENV{"T_$1"} ? $ENV{"T_$1"} : die "no value for \@$1\@\n"/ge; return $v }
    open my $out, ">", $ARGV[1] or die "$ARGV[1]: $!";
    print $out JSON->new->canonical->pretty->encode(fill($conf));' "$1" "$2"
}

fill_text() {
  perl -pe 's/\@([A-Z0-9_]+)\@/defined $ENV{"T_$1"} ? $ENV{"T_$1"} : die "no value for \@$1\@\n"/ge' "$1" >"$2"
}

# lemonldap/lmConf.template.json keeps LemonLDAP::NG's defaults (consent shown, logout confirmation shown, CORS,
# metadata) except where a test target needs otherwise:
# - locationRules {}: the built-in default ({"default":"deny"}) is not keyed by virtual host and makes every worker
#   die with "Can't use string ("deny") as a HASH ref"; the portal protects no application here anyway.
# - registerDB Null and portalDisplayRegister 0: the Demo register module wants mail modules; no self-registration.
# - oidcServiceAllowImplicitFlow / AllowHybridFlow 1: the suites test those flows.
# - oidcServiceAllowOnlyDeclaredScopes 1: a client gets only the standard scopes and the ones declared for it
#   (oidcRPMetaDataScopeRules), so svc-app is refused orders.write; by default any requested scope is granted.
# - per client: IDTokenSignAlg RS256 (there is no default), RefreshToken / AllowOffline where the suites refresh,
#   RequirePKCE on the public native client only (on spa it would also refuse implicit requests, which carry no
#   code_challenge), AllowClientCredentialsGrant on svc-app, AllowPasswordGrant on trusted-app.
start_instance() {
  local name="$1" port dir base kid
  port="$(port_of "$name")"
  dir="$state/$name"
  base="http://127.0.0.1:$port"
  rm -rf "$dir"
  mkdir -p "$dir/conf" "$dir/sessions/lock" "$dir/psessions/lock" "$dir/cache"
  chmod 700 "$dir"

  # A fresh signing key per instance and per start: two servers never share a key, and no key is committed.
  openssl genrsa -out "$dir/sig.key" 2048 2>/dev/null || die "openssl could not make an RSA key"
  openssl rsa -in "$dir/sig.key" -pubout -out "$dir/sig.pub" 2>/dev/null || die "openssl could not read back the RSA key"
  kid="llng-$name-$(openssl rsa -in "$dir/sig.key" -noout -modulus 2>/dev/null | sha256sum | cut -c1-12)"

  T_CFG_DATE="$(date +%s)" T_BASE_URL="$base" T_COOKIE_NAME="llng_conformance_$name" \
  T_CIPHER_KEY="$(openssl rand -hex 24)" T_STATE="$dir" T_KEY_ID="$kid" \
  T_PRIVATE_KEY="$(cat "$dir/sig.key")" T_PUBLIC_KEY="$(cat "$dir/sig.pub")" \
  T_SECRET_WEB="$secret_web" T_SECRET_WEB2="$secret_web2" T_SECRET_SERVICE="$secret_service" \
  T_SECRET_PASSWORD="$secret_password" \
    fill_json "$templates/lmConf.template.json" "$dir/conf/lmConf-1.json" || die "could not write $dir/conf/lmConf-1.json"
  T_STATE="$dir" T_LOG_LEVEL="${LLNG_LOG_LEVEL:-notice}" \
    fill_text "$templates/lemonldap-ng.ini" "$dir/lemonldap-ng.ini" || die "could not write $dir/lemonldap-ng.ini"
  chmod 600 "$dir/conf/lmConf-1.json" "$dir/sig.key"

  # Each worker loads the portal after the fork (no --preload-app): workers forked from one loaded
  # interpreter would share its random state.
  (
    cd "$dir"
    export LLNG_DEFAULTCONFFILE="$dir/lemonldap-ng.ini"
    exec setsid starman --listen "127.0.0.1:$port" --workers "${LLNG_WORKERS:-4}" \
      "$templates/portal.psgi" </dev/null >>"$dir/portal.log" 2>&1
  ) &
  echo $! >"$dir/starman.pid"
}

# Waits until the instance answers discovery; on failure shows the end of its log and returns 1.
wait_instance() {
  local name="$1" port dir deadline
  port="$(port_of "$name")"
  dir="$state/$name"
  deadline=$((SECONDS + 60))
  while [ "$(discovery_status "$port")" != 200 ]; do
    # starman keeps forking new workers when the portal fails to load or initialise: stop at the first sign.
    if ! pid_alive "$dir/starman.pid" || grep -qE "^Error while loading|Initialization failed" "$dir/portal.log" 2>/dev/null; then
      tail -n 30 "$dir/portal.log" >&2 || true
      echo "lemonldap: instance $name failed to start (log above: $dir/portal.log)" >&2
      return 1
    fi
    if [ $SECONDS -ge $deadline ]; then
      tail -n 30 "$dir/portal.log" >&2 || true
      echo "lemonldap: instance $name did not answer http://127.0.0.1:$port/.well-known/openid-configuration with 200 within 60 s (log above: $dir/portal.log)" >&2
      return 1
    fi
    sleep 0.3
  done
}

cmd_start() {
  local name p
  command -v starman >/dev/null 2>&1 && [ -d /usr/share/perl5/Lemonldap/NG/Portal ] ||
    die "LemonLDAP::NG or starman is missing: run '$0 install' first"
  for p in openssl curl perl; do command -v "$p" >/dev/null 2>&1 || die "$p is missing: run '$0 install' first"; done
  [[ "$port_a" =~ ^[0-9]+$ && "$port_b" =~ ^[0-9]+$ && "$port_a" != "$port_b" ]] ||
    die "LLNG_PORT_A and LLNG_PORT_B must be two different port numbers"
  [ "$password_dwho" = dwho ] && [ "$password_rtyler" = rtyler ] ||
    die "the Demo backend's passwords are fixed (dwho/dwho, rtyler/rtyler): unset LLNG_PASSWORD_DWHO / LLNG_PASSWORD_RTYLER or set them to those"
  check_secret web-app "$secret_web"
  check_secret web-app-2 "$secret_web2"
  check_secret svc-app "$secret_service"
  check_secret trusted-app "$secret_password"

  mkdir -p "$state"
  for name in "${instances[@]}"; do stop_instance "$name"; done
  for name in "${instances[@]}"; do
    p="$(port_of "$name")"
    [ "$(discovery_status "$p")" = 000 ] || die "port $p is already in use by another process"
  done

  local began=$SECONDS
  for name in "${instances[@]}"; do start_instance "$name"; done
  for name in "${instances[@]}"; do
    wait_instance "$name" || { cmd_stop >/dev/null; die "start failed; both instances are stopped"; }
  done

  # For CI: 'source STATE_DIR/env.sh' sets what fixtures/profiles/lemonldap.json reads.
  umask 077
  {
    printf 'export LLNG_PORT_A=%q\n' "$port_a"
    printf 'export LLNG_PORT_B=%q\n' "$port_b"
    printf 'export LLNG_SECRET_WEB=%q\n' "$secret_web"
    printf 'export LLNG_SECRET_WEB2=%q\n' "$secret_web2"
    printf 'export LLNG_SECRET_SERVICE=%q\n' "$secret_service"
    printf 'export LLNG_SECRET_PASSWORD=%q\n' "$secret_password"
    printf 'export LLNG_PASSWORD_DWHO=%q\n' "$password_dwho"
    printf 'export LLNG_PASSWORD_RTYLER=%q\n' "$password_rtyler"
    printf 'export CONFORMANCE_PROVIDER_NAME=%q\n' "LemonLDAP::NG"
    printf 'export CONFORMANCE_PROVIDER_VERSION=%q\n' "$(dpkg-query -W -f='${Version}' liblemonldap-ng-portal-perl 2>/dev/null || echo unknown)"
  } >"$state/env.sh"
  for name in "${instances[@]}"; do
    say "instance $name: issuer http://127.0.0.1:$(port_of "$name") (pid $(cat "$state/$name/starman.pid"), log $state/$name/portal.log)"
  done
  say "both instances answer discovery after $((SECONDS - began)) s; the environment for the profile:"
  # Names only: the values are secrets, and this output lands in CI logs.
  sed -n 's/^export \([A-Z_]*\)=.*/  \1/p' "$state/env.sh"
  say "source $state/env.sh"
}

cmd_stop() {
  local name
  for name in "${instances[@]}"; do stop_instance "$name"; done
  say "stopped (state kept in $state)"
}

cmd_status() {
  local name p code rc=0
  for name in "${instances[@]}"; do
    p="$(port_of "$name")"
    code="$(discovery_status "$p")"
    if pid_alive "$state/$name/starman.pid" && [ "$code" = 200 ]; then
      say "instance $name: running, http://127.0.0.1:$p (pid $(cat "$state/$name/starman.pid"))"
    else
      say "instance $name: not running (discovery on port $p: HTTP $code)"
      rc=3
    fi
  done
  return $rc
}

case "${1:-}" in
  install) cmd_install ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *) echo "usage: $0 install | start [STATE_DIR] | stop [STATE_DIR] | status [STATE_DIR]" >&2; exit 2 ;;
esac
