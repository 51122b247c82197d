// A single-page app built on Okta's AuthJS browser bundle (dist/okta-auth-js.min.js, loaded before this file).
// The NUnit fixture serves it on the spa-loopback-app's origin and calls window.fidelity.* through Playwright; each
// function returns plain JSON (claims, statuses, error texts) for the test to judge. No assertion lives here.
(function () {
  'use strict';
  const config = JSON.parse(document.getElementById('fidelity-config').textContent);
  const OktaAuthClass = window.OktaAuth.OktaAuth || window.OktaAuth.default || window.OktaAuth;
  // The redirect flow leaves this page and comes back to /callback: which server it was for must survive that.
  const serverKey = 'fidelity.server';

  function issuerOf(server) {
    return server === 'org' ? config.base : config.base + '/oauth2/' + server;
  }

  function client(server) {
    return new OktaAuthClass({
      issuer: issuerOf(server),
      clientId: config.clientId,
      redirectUri: config.redirectUri,
      postLogoutRedirectUri: config.postLogoutRedirectUri,
      scopes: ['openid', 'profile', 'email', 'offline_access'],
      pkce: true,
      // The test decides when tokens renew or go: no background timers racing it.
      tokenManager: { autoRenew: false, autoRemove: false, storage: 'localStorage' },
      // Okta's org server issues access tokens that are not for the client to read; AuthJS then keeps them opaque.
      decodeAccessTokens: server !== 'org',
    });
  }

  function describeError(error) {
    return {
      name: error && error.name,
      message: String((error && (error.errorSummary || error.message)) || error),
      errorCode: error && error.errorCode,
    };
  }

  async function attempt(work) {
    try {
      return Object.assign({ ok: true }, await work());
    } catch (error) {
      return { ok: false, error: describeError(error) };
    }
  }

  function summary(tokens) {
    return {
      idClaims: tokens.idToken ? tokens.idToken.claims : null,
      accessClaims: tokens.accessToken ? tokens.accessToken.claims || null : null,
      accessToken: tokens.accessToken ? tokens.accessToken.accessToken : null,
      idToken: tokens.idToken ? tokens.idToken.idToken : null,
      refreshToken: tokens.refreshToken ? tokens.refreshToken.refreshToken : null,
      scopes: tokens.accessToken ? tokens.accessToken.scopes : null,
    };
  }

  window.fidelity = {
    ready: true,

    // Okta's Authentication API through AuthJS: /api/v1/authn, then the TOTP factor when the answer asks for it.
    signIn: (server, username, password, passCode) => attempt(async () => {
      const auth = client(server);
      let transaction = await auth.signInWithCredentials({ username, password });
      const first = transaction.status;
      let factor = null;
      if (transaction.status === 'MFA_REQUIRED') {
        const totp = (transaction.factors || []).find(f => f.factorType === 'token:software:totp');
        factor = totp ? { factorType: totp.factorType, provider: totp.provider } : null;
        if (!totp) return { first, status: transaction.status, factors: transaction.factors.map(f => f.factorType) };
        transaction = await totp.verify({ passCode });
      }
      return {
        first,
        factor,
        status: transaction.status,
        hasSessionToken: typeof transaction.sessionToken === 'string' && transaction.sessionToken.length > 0,
        sessionToken: transaction.sessionToken,
        login: transaction.user && transaction.user.profile ? transaction.user.profile.login : null,
      };
    }),

    // The redirect half of the authorization code + PKCE flow: AuthJS stores the verifier and leaves for /authorize.
    // With a sessionToken the issuer needs no page; without one it shows its sign-in page.
    startRedirect: (server, sessionToken) => attempt(async () => {
      sessionStorage.setItem(serverKey, server);
      const auth = client(server);
      await auth.token.getWithRedirect(sessionToken ? { sessionToken } : {});
      return {};
    }),

    // Back on /callback: AuthJS reads code and state, redeems the code with the verifier, validates the ID token.
    completeRedirect: () => attempt(async () => {
      const server = sessionStorage.getItem(serverKey);
      const auth = client(server);
      const { tokens } = await auth.token.parseFromUrl();
      auth.tokenManager.setTokens(tokens);
      return Object.assign({ server }, summary(tokens));
    }),

    // Token renewal with the refresh token the tokenManager holds (AuthJS renews through /token, no iframe).
    renew: server => attempt(async () => {
      const auth = client(server);
      const before = await auth.tokenManager.getTokens();
      const renewed = await auth.token.renewTokens();
      auth.tokenManager.setTokens(renewed);
      return {
        before: summary(before),
        after: summary(renewed),
      };
    }),

    userInfo: server => attempt(async () => ({ userInfo: await client(server).token.getUserInfo() })),

    sessionExists: server => attempt(async () => ({ exists: await client(server).session.exists() })),

    // Ends the Okta session with DELETE /api/v1/sessions/me (fetch, credentials included).
    closeSession: server => attempt(async () => ({ closed: await client(server).closeSession() })),

    // signOut revokes the tokens (/revoke) and then leaves for /logout with id_token_hint.
    signOut: server => attempt(async () => {
      const auth = client(server);
      await auth.signOut({ state: 'fidelity-signed-out' });
      return {};
    }),
  };
})();
