#!/usr/bin/env bash
# Glewlwyd (Debian 12 package, 2.7.5) as an independent OpenID provider for the conformance harness.
#
#   glewlwyd.sh install              install the packages it needs (root; idempotent)
#   glewlwyd.sh start [STATE_DIR]    fresh instance on 127.0.0.1:${GLEWLWYD_PORT:-5821}, configured over its admin API
#   glewlwyd.sh stop [STATE_DIR]     stop the instance started from STATE_DIR
#   glewlwyd.sh status [STATE_DIR]   say whether it runs and answers
#   glewlwyd.sh verify [STATE_DIR]   smoke test of the started instance with curl (login API, grants, tokens)
#
# STATE_DIR defaults to ${TMPDIR:-/tmp}/conformance-glewlwyd. Everything the instance writes (config, sqlite
# database, signing key, webapp copy, log, pid) lives under STATE_DIR/glewlwyd; STATE_DIR/env.sh exports the
# secrets that fixtures/profiles/glewlwyd.json references. See `start` for the environment it reads.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
templates="$here/glewlwyd"
prog="glewlwyd.sh"

die() { echo "$prog: $*" >&2; exit 1; }
say() { echo "$prog: $*"; }

# ---------------------------------------------------------------------------------------------------------------
# install
# ---------------------------------------------------------------------------------------------------------------

# glewlwyd: the server and its OIDC plugin. dbconfig-no-thanks: glewlwyd depends on dbconfig-common's choice;
# this variant keeps dbconfig from setting up any database (we make our own sqlite file at start). sqlite3: the
# CLI that builds the database from the packaged schema. The rest are the tools this script calls.
packages=(glewlwyd dbconfig-no-thanks sqlite3 openssl curl jq)

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q '^install ok installed$'; }

cmd_install() {
  local missing=() p
  for p in "${packages[@]}"; do installed "$p" || missing+=("$p"); done
  if [ ${#missing[@]} -eq 0 ]; then
    say "nothing to install: ${packages[*]} are installed (glewlwyd $(dpkg-query -W -f='${Version}' glewlwyd))"
    return 0
  fi
  [ "$(id -u)" -eq 0 ] || die "must run as root to install: ${missing[*]}"
  command -v apt-get >/dev/null || die "apt-get not found; this script targets Debian 12"

  export DEBIAN_FRONTEND=noninteractive
  # Other agents use apt at the same time: wait for the dpkg lock instead of failing at once.
  local apt=(apt-get -q -y -o DPkg::Lock::Timeout=600)

  # Refresh the package lists only when apt does not know a package (they were fresh when this was written).
  for p in "${missing[@]}"; do
    if ! apt-cache show "$p" >/dev/null 2>&1; then
      say "package $p is unknown to apt: apt-get update"
      "${apt[@]}" update || die "apt-get update failed"
      break
    fi
  done
  for p in "${missing[@]}"; do
    apt-cache show "$p" >/dev/null 2>&1 || die "package $p is not available from the configured archive (Debian 12 has glewlwyd 2.7.5)"
  done

  # Without this answer the package's configure step asks how to set up the database and, unanswered, fails.
  echo "glewlwyd glewlwyd/config_type select No configuration" | debconf-set-selections

  # Keep maintainer scripts from starting the packaged service: we run our own instance. Only add a policy
  # where none exists, and only remove the one we added.
  local policy=/usr/sbin/policy-rc.d ours=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\n# temporary, from %s install: no service starts while installing\nexit 101\n' "$prog" > "$policy"
    chmod 755 "$policy"
    ours=1
    # Removed however the script ends; a signal becomes an exit so that the EXIT trap runs.
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
    trap 'exit 130' INT TERM HUP
  fi

  local t0=$SECONDS rc=0 before after
  # What was installed before, to report every package this run added (dependencies included).
  before="$(dpkg-query -W -f='${db:Status-Abbrev} ${binary:Package}\n' | awk '$1 == "ii" {print $2}' | sort)"
  say "installing: ${missing[*]}"
  "${apt[@]}" install --no-install-recommends "${missing[@]}" || rc=$?
  if [ "$ours" -eq 1 ]; then rm -f "$policy"; trap - EXIT INT TERM HUP; fi
  [ "$rc" -eq 0 ] || die "apt-get install ${missing[*]} failed (exit $rc)"

  for p in "${missing[@]}"; do installed "$p" || die "$p is still not installed after apt-get install"; done
  after="$(dpkg-query -W -f='${db:Status-Abbrev} ${binary:Package}\n' | awk '$1 == "ii" {print $2}' | sort)"
  say "installed in $((SECONDS - t0)) s: $(for p in "${missing[@]}"; do printf '%s %s  ' "$p" "$(dpkg-query -W -f='${Version}' "$p")"; done)"
  say "packages added ($(comm -13 <(echo "$before") <(echo "$after") | wc -l)): $(comm -13 <(echo "$before") <(echo "$after") | tr '\n' ' ')"
}

# ---------------------------------------------------------------------------------------------------------------
# start / stop / status
# ---------------------------------------------------------------------------------------------------------------

# Files the Debian package provides and `start` builds an instance from.
schema=/usr/share/dbconfig-common/data/glewlwyd/install/sqlite3   # also seeds the admin user admin/password
webapp_src=/usr/share/glewlwyd/webapp
webapp_config=/etc/glewlwyd/config-2.7.json/config.json

# The OIDC plugin instances: one authorization server each, issuer {base}/api/{name}. One Glewlwyd hosts both, so
# they share users, clients, scopes, consent and the login session (like an org's custom servers), but each has
# its own signing key, tokens and session-management cookie.
servers=(oidc oidc2)

# Test credentials: from the environment when set, fixed test values otherwise. The profile only names the
# variables (env:NAME); STATE_DIR/env.sh exports the values used.
secret_vars=(GLEWLWYD_SECRET_WEB GLEWLWYD_SECRET_WEB2 GLEWLWYD_SECRET_SERVICE GLEWLWYD_SECRET_PASSWORD
             GLEWLWYD_PASSWORD_DWHO GLEWLWYD_PASSWORD_RTYLER)
: "${GLEWLWYD_SECRET_WEB:=web-app-secret-0f3c}"
: "${GLEWLWYD_SECRET_WEB2:=web-app-2-secret-7a91}"
: "${GLEWLWYD_SECRET_SERVICE:=svc-app-secret-52de}"
: "${GLEWLWYD_SECRET_PASSWORD:=trusted-app-secret-c84b}"
: "${GLEWLWYD_PASSWORD_DWHO:=dwho}"
: "${GLEWLWYD_PASSWORD_RTYLER:=rtyler}"
export "${secret_vars[@]}"
# The packaged database seeds admin/password; GLEWLWYD_ADMIN_PASSWORD, when set, replaces it after configuration.
seeded_admin_password=password

# Absolute, so that the config file, the pid check and env.sh do not depend on the caller's directory.
state_root() { realpath -m -- "${1:-${TMPDIR:-/tmp}/conformance-glewlwyd}"; }

# Reads what `start` recorded about the instance (port, base URL) so stop/status need no environment.
load_instance() {
  local dir="$1/glewlwyd"
  port="" base=""
  # shellcheck disable=SC1091
  [ -f "$dir/instance.env" ] && . "$dir/instance.env"
  return 0
}

# The pid in the pid file, if it is a live glewlwyd started from this folder (pids get reused).
live_pid() {
  local dir="$1/glewlwyd" pid
  [ -f "$dir/glewlwyd.pid" ] || return 1
  pid="$(cat "$dir/glewlwyd.pid" 2>/dev/null)"
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" | grep -qF -- "--config-file=$dir/glewlwyd.conf" || return 1
  echo "$pid"
}

cmd_stop() {
  local state dir pid i
  state="$(state_root "${1:-}")"; dir="$state/glewlwyd"
  if ! pid="$(live_pid "$state")"; then
    rm -f "$dir/glewlwyd.pid"
    say "not running (state $state)"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 50); do
    [ -d "/proc/$pid" ] || break
    sleep 0.2
  done
  if [ -d "/proc/$pid" ]; then
    say "pid $pid ignored TERM for 10 s: KILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$dir/glewlwyd.pid"
  say "stopped pid $pid"
}

cmd_status() {
  local state pid s
  state="$(state_root "${1:-}")"
  load_instance "$state"
  if ! pid="$(live_pid "$state")"; then
    say "not running (state $state)"
    return 3
  fi
  if curl -sf -o /dev/null --max-time 5 "$base/config"; then
    say "running, pid $pid, $base"
    for s in "${servers[@]}"; do
      printf '  %-6s issuer %s\n' "$s" "$(curl -s --max-time 5 "$base/api/$s/.well-known/openid-configuration" | jq -r '.issuer // "(no discovery document)"')"
    done
    return 0
  fi
  say "pid $pid is alive but $base does not answer"
  return 1
}

# Admin REST API call with the admin session cookie; dies on anything but 2xx, with the answer.
api() {
  local method="$1" path="$2" body="${3:-}" code
  local args=(-s -o "$dir/api.out" -w '%{http_code}' -b "$dir/admin.cookies" -X "$method" --max-time 20)
  [ -n "$body" ] && args+=(-H 'Content-Type: application/json' --data-binary "$body")
  code="$(curl "${args[@]}" "$base/api$path")" || die "admin API $method $path: curl failed"
  case "$code" in
    2??) ;;
    *) die "admin API $method $path answered HTTP $code: $(head -c 500 "$dir/api.out")" ;;
  esac
}

# Replaces each {"env": "NAME"} in a template with that variable's value.
fill() { jq --argjson env "$env_json" 'walk(if type == "object" and has("env") then $env[.env] else . end)' "$1"; }

render_conf() {
  local text
  text="$(cat "$templates/glewlwyd.conf.in")"
  text="${text//@PORT@/$port}"
  text="${text//@BASE_URL@/$base}"
  text="${text//@WEBAPP@/$dir/webapp}"
  text="${text//@DB@/$dir/glewlwyd.db}"
  text="${text//@ALLOW_ORIGIN@/https://spa.test}"
  text="${text//@LOG_LEVEL@/${GLEWLWYD_LOG_LEVEL:-INFO}}"
  text="${text//@SESSION_KEY@/$session_key}"
  printf '%s\n' "$text"
}

cmd_start() {
  local state t0=$SECONDS t_ready pid i s v
  state="$(state_root "${1:-}")"
  dir="$state/glewlwyd"
  port="${GLEWLWYD_PORT:-5821}"
  base="http://127.0.0.1:$port"
  # Cookies ignore the port: the port in the name keeps two instances on 127.0.0.1 from sharing a session cookie.
  session_key="GLEWLWYD_CONFORMANCE_${port}"

  for v in glewlwyd sqlite3 openssl curl jq; do
    command -v "$v" >/dev/null || die "$v not found: run '$0 install' first (as root)"
  done
  for v in "$schema" "$webapp_src/login.html" "$webapp_config"; do
    [ -e "$v" ] || die "$v is missing: is the glewlwyd 2.7 package installed? run '$0 install'"
  done

  # Re-runnable: the previous instance from this folder goes first, then a port check so a stranger's port is
  # reported instead of a confusing bind error in the log.
  cmd_stop "$state" >/dev/null
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    die "port $port on 127.0.0.1 is already in use by another process; set GLEWLWYD_PORT"
  fi

  rm -rf "$dir"
  mkdir -p "$dir/keys"
  # Private keys and test credentials live here: only the owner may look (STATE_DIR itself may be shared, /tmp).
  chmod 700 "$dir"

  # A fresh database from the packaged schema: no state survives from an earlier run. One transaction (the script
  # has none: 1.6 s of fsyncs instead of 0.05 s). WAL mode is stored in the file, so Glewlwyd runs with it too:
  # fewer fsyncs per write, and readers do not wait for writers.
  { echo 'PRAGMA journal_mode=WAL; BEGIN;'; cat "$schema"; echo 'COMMIT;'; } | sqlite3 "$dir/glewlwyd.db" >/dev/null \
    || die "could not create the sqlite database from $schema"

  # The webapp (login page) is served by Glewlwyd itself. Copied with links dereferenced: its jQuery, Bootstrap
  # and Popper are relative links into /usr/share/javascript and /usr/share/nodejs that break in a copy (the
  # login page then stays at "Loading..." forever). The packaged config.json is a link to a directory, so the
  # copy gets a directory there: replace it by the real file.
  cp -rL "$webapp_src" "$dir/webapp"
  rm -rf "$dir/webapp/config.json"
  cp "$webapp_config" "$dir/webapp/config.json"

  # One RSA key per authorization server, made now and never stored anywhere else: the servers must not share a
  # signing key. The plugin wants a certificate next to the key; a self-signed one will do.
  for s in "${servers[@]}"; do
    openssl genrsa -out "$dir/keys/$s.key.pem" 2048 2>/dev/null || die "openssl genrsa failed"
    openssl req -x509 -new -key "$dir/keys/$s.key.pem" -subj "/CN=glewlwyd-conformance-$s" -days 30 \
      -out "$dir/keys/$s.cert.pem" 2>/dev/null || die "openssl req failed"
  done
  chmod 600 "$dir"/keys/*.pem

  render_conf > "$dir/glewlwyd.conf"
  printf 'port=%q\nbase=%q\n' "$port" "$base" > "$dir/instance.env"

  # Its own session and process group (setsid), stdin closed, output to the log: it outlives this script and a
  # caller's terminal or job control. setsid execs glewlwyd in place here (not a group leader), so $! is its pid.
  setsid glewlwyd --config-file="$dir/glewlwyd.conf" < /dev/null > "$dir/glewlwyd.log" 2>&1 &
  pid=$!
  echo "$pid" > "$dir/glewlwyd.pid"

  for i in $(seq 1 600); do
    if ! [ -d "/proc/$pid" ]; then
      rm -f "$dir/glewlwyd.pid"
      die "glewlwyd exited during start-up; last lines of $dir/glewlwyd.log:
$(tail -n 25 "$dir/glewlwyd.log")"
    fi
    curl -sf -o /dev/null --max-time 2 "$base/config" && break
    if [ "$i" -eq 600 ]; then
      die "glewlwyd (pid $pid) did not answer $base/config within 60 s; last lines of $dir/glewlwyd.log:
$(tail -n 25 "$dir/glewlwyd.log")"
    fi
    sleep 0.1
  done
  t_ready=$((SECONDS - t0))

  configure "$state"

  write_env "$state"
  # The profile names the issuers for the default port; this copy names them for the port in use.
  sed "s|http://127.0.0.1:5821|$base|g" "$here/../../fixtures/profiles/glewlwyd.json" > "$state/glewlwyd.json"
  for s in "${servers[@]}"; do
    [ "$(curl -s --max-time 5 "$base/api/$s/.well-known/openid-configuration" | jq -r .issuer)" = "$base/api/$s" ] \
      || die "discovery of $s does not show the issuer $base/api/$s"
  done
  say "ready in $((SECONDS - t0)) s (answering after ${t_ready} s): pid $pid, $base"
  for s in "${servers[@]}"; do printf '  issuer %s\n' "$base/api/$s"; done
  say "log $dir/glewlwyd.log; credentials: source $state/env.sh; profile for this port: $state/glewlwyd.json"
}

configure() {
  local state="$1" s u c code client_ids user_scope grant_jar
  env_json="$(jq -n '$ENV | with_entries(select(.key | startswith("GLEWLWYD_")))')"

  # Admin session (a cookie) with the seeded admin user.
  curl -s -o /dev/null -c "$dir/admin.cookies" -H 'Content-Type: application/json' --max-time 20 \
    -d "$(jq -n --arg p "$seeded_admin_password" '{username: "admin", password: $p}')" "$base/api/auth/" \
    || die "admin login failed"
  grep -q "$session_key" "$dir/admin.cookies" || die "admin login did not set the session cookie $session_key"

  # Scopes. Every scope requires that the session was authenticated with the user's password (password_required;
  # no other scheme is set up), the seeded openid scope included, which comes without it: every grant then rests
  # on a password login.
  # (Loops read from process substitution, not a pipe: `die` must end the script, not a subshell.)
  while IFS= read -r s; do
    if [ "$(jq -r .name <<<"$s")" = openid ]; then api PUT /scope/openid "$s"; else api POST /scope/ "$s"; fi
  done < <(jq -c '.[] | . + {password_required: true, password_max_age: 0, scheme: {}}' "$templates/scopes.json")

  while IFS= read -r u; do api POST /user/ "$u"; done < <(fill "$templates/users.json" | jq -c '.[]')

  # The logout code reads the client property post_logout_redirect_uris as a list, but the packaged client
  # database module has no such property (only post_logout_redirect_uri, a single string, which the logout code
  # never reads): without this, RP-initiated logout never redirects back. Add it as a list, then reload the
  # module, which otherwise keeps validating clients against the old format.
  api GET /mod/client/database
  api PUT /mod/client/database "$(jq -c 'del(.source) | .parameters."data-format".post_logout_redirect_uris = {multiple: true, read: true, write: true}' "$dir/api.out")"
  api PUT /mod/client/database/reset

  # The authorization servers. Parameters (see plugin-oidc.json; names from src/plugin/protocol_oidc.c, 2.7.5):
  # - allow-non-oidc: plain OAuth2 requests (client_credentials, password, response_type token alone); the
  #   ops notes saw client credentials answer 403 without it.
  # - auth-type-token-enabled is the implicit flow (the test suite's auth-type-implicit-enabled is not read).
  # - refresh-token-one-use always: every refresh returns a new refresh token and a replayed one breaks the chain
  #   (the default, never, keeps refresh tokens reusable, which public clients must not have).
  # - auth-type-code-revoke-replayed: a replayed code revokes what that code issued.
  # - pkce: S256 only, required for public clients.
  # - introspection-revocation-allowed + -allow-target-client: /introspect and /revoke, client_secret_basic; a
  #   client only sees and revokes its own tokens.
  # - session-management-allowed: the end_session endpoint (RP-initiated logout); its cookie named per server.
  # - oauth-as-iss-id: iss in the authorization response (RFC 9207).
  # - name/email claims on demand, and with the profile/email scope.
  for s in "${servers[@]}"; do
    api POST /mod/plugin/ "$(jq -c --arg name "$s" --arg iss "$base/api/$s" \
      --rawfile key "$dir/keys/$s.key.pem" --rawfile cert "$dir/keys/$s.cert.pem" \
      --arg sid "GLEWLWYD_CONFORMANCE_${port}_${s}_SID" \
      '.name = $name | .display_name = "OpenID Connect (\($name))"
       | .parameters += {iss: $iss, key: $key, cert: $cert, "session-cookie-name": $sid}' "$templates/plugin-oidc.json")"
  done

  while IFS= read -r c; do api POST /client/ "$c"; done < <(fill "$templates/clients.json" | jq -c '.[]')

  # Consent given up front, as each user, for every redirecting client and every scope the user holds: the
  # login application otherwise asks for it with a checkbox and a button no login driver can guess, on top of
  # the "Continue" button it shows after every login (the profile names that one in login.selectors.consent).
  client_ids="$(jq -r '.[] | select(.redirect_uri | length > 0) | .client_id' "$templates/clients.json")"
  while IFS= read -r u; do
    grant_jar="$dir/grant.cookies"
    rm -f "$grant_jar"
    curl -s -o /dev/null -c "$grant_jar" -H 'Content-Type: application/json' --max-time 20 \
      -d "$(jq -c '{username, password}' <<<"$u")" "$base/api/auth/" || die "login as $(jq -r .username <<<"$u") failed"
    user_scope="$(jq -r '.scope | join(" ")' <<<"$u")"
    for c in $client_ids; do
      code="$(curl -s -o "$dir/api.out" -w '%{http_code}' -b "$grant_jar" -X PUT -H 'Content-Type: application/json' \
        --max-time 20 -d "$(jq -n --arg s "$user_scope" '{scope: $s}')" "$base/api/auth/grant/$c")"
      [ "$code" = 200 ] || die "consent of $(jq -r .username <<<"$u") for $c: HTTP $code $(head -c 300 "$dir/api.out")"
    done
    rm -f "$grant_jar"
  done < <(fill "$templates/users.json" | jq -c '.[]')

  if [ -n "${GLEWLWYD_ADMIN_PASSWORD:-}" ]; then
    api GET /user/admin
    api PUT /user/admin "$(jq -c --arg p "$GLEWLWYD_ADMIN_PASSWORD" 'del(.source, .username) | .password = $p' "$dir/api.out")"
  fi
  rm -f "$dir/admin.cookies" "$dir/api.out"
}

write_env() {
  local state="$1" v
  {
    echo "# Written by scripts/independent/glewlwyd.sh start: the values fixtures/profiles/glewlwyd.json reads."
    printf 'export GLEWLWYD_BASE_URL=%q\n' "$base"
    for v in "${secret_vars[@]}"; do printf 'export %s=%q\n' "$v" "${!v}"; done
    printf 'export CONFORMANCE_PROVIDER_NAME=%q\n' "Glewlwyd"
    printf 'export CONFORMANCE_PROVIDER_VERSION=%q\n' "$(dpkg-query -W -f='${Version}' glewlwyd 2>/dev/null || echo unknown)"
    # One test at a time: Glewlwyd's SQLite backend fails a query when two writes meet ("generate_authorization_code
    # - Error executing j_query" in its log) and then answers server_error or refuses an honest code, so parallel
    # checks would give different verdicts from run to run. verify.sh reads this.
    echo 'export CONFORMANCE_NUNIT_WORKERS=1'
  } > "$state/env.sh"
  chmod 600 "$state/env.sh"
}

# verify: the curl smoke test of a started instance lives in glewlwyd/smoke.sh (kept apart to keep this file short).
# shellcheck source=glewlwyd/smoke.sh
source "$here/glewlwyd/smoke.sh"

# ---------------------------------------------------------------------------------------------------------------
case "${1:-}" in
  install) shift; cmd_install "$@" ;;
  start) shift; cmd_start "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  status) shift; cmd_status "$@" ;;
  verify) shift; cmd_verify "$@" ;;
  *) echo "usage: $prog install | start [STATE_DIR] | stop [STATE_DIR] | status [STATE_DIR] | verify [STATE_DIR]" >&2; exit 2 ;;
esac
