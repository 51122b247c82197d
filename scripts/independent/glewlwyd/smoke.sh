# Sourced by scripts/independent/glewlwyd.sh: its `verify` command, the flows over plain HTTP with curl against a
# started instance (uses that script's helpers: say, die, api, load_instance).
# ---------------------------------------------------------------------------------------------------------------
# verify: the flows over plain HTTP with curl, as a smoke test of a started instance (what the harness will need)
# ---------------------------------------------------------------------------------------------------------------

jwt_payload() {
  local p="${1#*.}"
  p="${p%%.*}"
  p="$(tr '_-' '/+' <<<"$p")"
  while [ $(( ${#p} % 4 )) -ne 0 ]; do p="$p="; done
  base64 -d <<<"$p" 2>/dev/null
}

# The value of one query (or fragment) parameter of a URL, still URL-encoded.
url_param() { sed -n "s/.*[?&#]$2=\([^&#]*\).*/\1/p" <<<"$1"; }

cmd_verify() {
  local state s jar tmp failures=0 loc code tokens at rt rt2 idt sub out ret
  state="$(state_root "${1:-}")"
  [ -f "$state/env.sh" ] || die "no $state/env.sh: run '$0 start' first"
  # shellcheck disable=SC1091
  . "$state/env.sh"
  base="$GLEWLWYD_BASE_URL"
  tmp="$(mktemp -d)"
  jar="$tmp/cookies"
  ok() { printf '  ok    %s\n' "$*"; }
  bad() { printf '  FAIL  %s\n' "$*"; failures=$((failures + 1)); }
  check() { local what="$1"; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }

  for s in "${servers[@]}"; do
    local iss="$base/api/$s" ep="$base/api/$s"
    echo "server $s ($iss)"
    out="$(curl -s "$iss/.well-known/openid-configuration")"
    check "discovery: issuer, endpoints" test "$(jq -r '[.issuer, .token_endpoint, .introspection_endpoint, .revocation_endpoint, .end_session_endpoint] | join(" ")' <<<"$out")" \
      = "$iss $ep/token $ep/introspect $ep/revoke $ep/end_session"

    # Login over the JSON API that the login page itself uses.
    rm -f "$jar"
    code="$(curl -s -o /dev/null -w '%{http_code}' -c "$jar" -H 'Content-Type: application/json' \
      -d "$(jq -n --arg p "wrong-$GLEWLWYD_PASSWORD_DWHO" '{username: "dwho", password: $p}')" "$base/api/auth/")"
    check "POST /api/auth/ wrong password: 401 (got $code)" test "$code" = 401
    code="$(curl -s -o /dev/null -w '%{http_code}' -c "$jar" -b "$jar" -H 'Content-Type: application/json' \
      -d "$(jq -n --arg p "$GLEWLWYD_PASSWORD_DWHO" '{username: "dwho", password: $p}')" "$base/api/auth/")"
    check "POST /api/auth/ as dwho: 200 (got $code)" test "$code" = 200

    local authz="$ep/auth?response_type=code&client_id=web-app&redirect_uri=https%3A%2F%2Fapp.test%2Fcallback&scope=openid%20email%20profile%20offline_access&state=st-$s&nonce=nonce-$s"
    loc="$(curl -s -o /dev/null -w '%{redirect_url}' -b "$jar" "$authz")"
    check "authorize with a session, no g_continue: to the login application" grep -q "^$base/login.html?" <<<"$loc"
    code="$(curl -s -o /dev/null -w '%{http_code}' -b "$jar" -X PUT -H 'Content-Type: application/json' \
      -d '{"scope":"openid email profile offline_access"}' "$base/api/auth/grant/web-app")"
    check "PUT /api/auth/grant/web-app: 200 (got $code)" test "$code" = 200
    loc="$(curl -s -o /dev/null -w '%{redirect_url}' -b "$jar" "$authz&g_continue")"
    code="$(url_param "$loc" code)"
    check "authorize &g_continue: code, state, iss" test -n "$code" -a "$(url_param "$loc" state)" = "st-$s" -a "$(url_param "$loc" iss)" = "$(jq -rn --arg i "$iss" '$i|@uri')"

    tokens="$(curl -s -u "web-app:$GLEWLWYD_SECRET_WEB" -d grant_type=authorization_code -d "code=$code" \
      --data-urlencode redirect_uri=https://app.test/callback "$ep/token")"
    at="$(jq -r '.access_token // empty' <<<"$tokens")"; rt="$(jq -r '.refresh_token // empty' <<<"$tokens")"; idt="$(jq -r '.id_token // empty' <<<"$tokens")"
    check "code exchange: access, refresh and ID token" test -n "$at" -a -n "$rt" -a -n "$idt"
    check "ID token: iss, aud, nonce" test "$(jwt_payload "$idt" | jq -r '[.iss, .aud, .nonce] | join(" ")')" = "$iss web-app nonce-$s"
    sub="$(jwt_payload "$idt" | jq -r .sub)"
    local first_code="$code"

    out="$(curl -s -H "Authorization: Bearer $at" "$ep/userinfo")"
    check "userinfo: sub of the ID token, email" test "$(jq -r '[.sub, .email] | join(" ")' <<<"$out")" = "$sub dwho@badwolf.test"
    out="$(curl -s -u "web-app:$GLEWLWYD_SECRET_WEB" -d "token=$at" "$ep/introspect")"
    check "introspection: active, client_id web-app" test "$(jq -r '[.active, .client_id] | join(" ")' <<<"$out")" = "true web-app"
    out="$(curl -s -u "web-app-2:$GLEWLWYD_SECRET_WEB2" -d "token=$at" "$ep/introspect")"
    check "introspection by another client: inactive" test "$(jq -c . <<<"$out")" = '{"active":false}'

    out="$(curl -s -u "web-app:$GLEWLWYD_SECRET_WEB" -d grant_type=refresh_token -d "refresh_token=$rt" "$ep/token")"
    rt2="$(jq -r '.refresh_token // empty' <<<"$out")"
    check "refresh: new access token and a new refresh token" test -n "$(jq -r '.access_token // empty' <<<"$out")" -a -n "$rt2" -a "$rt2" != "$rt"
    code="$(curl -s -o /dev/null -w '%{http_code}' -u "web-app:$GLEWLWYD_SECRET_WEB" -d grant_type=refresh_token -d "refresh_token=$rt" "$ep/token")"
    check "replayed refresh token refused (got $code)" test "$code" != 200
    code="$(curl -s -o /dev/null -w '%{http_code}' -u "web-app:$GLEWLWYD_SECRET_WEB" -d "token=$at" -d token_type_hint=access_token "$ep/revoke")"
    check "revocation of the access token: 200 (got $code)" test "$code" = 200
    out="$(curl -s -u "web-app:$GLEWLWYD_SECRET_WEB" -d "token=$at" "$ep/introspect")"
    check "revoked access token: inactive" test "$(jq -r .active <<<"$out")" = false
    code="$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $at" "$ep/userinfo")"
    check "revoked access token refused at userinfo (got $code)" test "$code" = 401
    # Last, since a replayed code also revokes what the code gave (auth-type-code-revoke-replayed).
    code="$(curl -s -o /dev/null -w '%{http_code}' -u "web-app:$GLEWLWYD_SECRET_WEB" -d grant_type=authorization_code -d "code=$first_code" \
      --data-urlencode redirect_uri=https://app.test/callback "$ep/token")"
    check "code replay refused (got $code)" test "$code" != 200
    out="$(curl -s -u "web-app:$GLEWLWYD_SECRET_WEB" -d "token=$rt2" "$ep/introspect")"
    check "after the replay, the code's refresh token is inactive" test "$(jq -r .active <<<"$out")" = false

    # Public client with PKCE (S256), same session. Glewlwyd wants a nonce whenever openid is asked for, in the
    # code flow too.
    local verifier challenge
    verifier="$(openssl rand -hex 32)"
    challenge="$(printf '%s' "$verifier" | openssl dgst -binary -sha256 | base64 | tr '+/' '-_' | tr -d '=')"
    loc="$(curl -s -o /dev/null -w '%{redirect_url}' -b "$jar" "$ep/auth?response_type=code&client_id=native-app&redirect_uri=com.example.conformance%3A%2Fcallback&scope=openid&state=n-$s&nonce=n-$s&code_challenge=$challenge&code_challenge_method=S256&g_continue")"
    out="$(curl -s -d grant_type=authorization_code -d client_id=native-app -d "code=$(url_param "$loc" code)" -d "code_verifier=$verifier" \
      --data-urlencode redirect_uri=com.example.conformance:/callback "$ep/token")"
    check "native app, PKCE S256: tokens" test -n "$(jq -r '.access_token // empty' <<<"$out")"

    out="$(curl -s -u "svc-app:$GLEWLWYD_SECRET_SERVICE" -d grant_type=client_credentials -d scope=api.read "$ep/token")"
    check "client credentials api.read: access token" test -n "$(jq -r '.access_token // empty' <<<"$out")"
    code="$(curl -s -o /dev/null -w '%{http_code}' -u "svc-app:$GLEWLWYD_SECRET_SERVICE" -d grant_type=client_credentials -d scope=api.write "$ep/token")"
    check "client credentials api.write (not the client's) refused (got $code)" test "$code" != 200

    out="$(curl -s -u "trusted-app:$GLEWLWYD_SECRET_PASSWORD" -d grant_type=password -d username=rtyler \
      --data-urlencode "password=$GLEWLWYD_PASSWORD_RTYLER" -d 'scope=openid api.read' "$ep/token")"
    check "password grant as rtyler: access token" test -n "$(jq -r '.access_token // empty' <<<"$out")"
    code="$(curl -s -o /dev/null -w '%{http_code}' -u "trusted-app:$GLEWLWYD_SECRET_PASSWORD" -d grant_type=password -d username=rtyler \
      --data-urlencode "password=wrong-$GLEWLWYD_PASSWORD_RTYLER" -d 'scope=openid' "$ep/token")"
    check "password grant, wrong password refused (got $code)" test "$code" != 200
  done
  rm -rf "$tmp"
  if [ "$failures" -gt 0 ]; then
    say "$failures verification(s) failed"
    return 1
  fi
  say "all verifications passed"
}

