// Verifies one token with Okta's @okta/jwt-verifier, as a resource server would.
// Input (stdin, JSON): { kind: "access" | "id", issuer, token, audience?, clientId?, nonce?, assertClaims? }
// Output (stdout, one JSON line): { ok: true, claims } or { ok: false, error }. Exit code 0 either way: the
// NUnit test judges the answer; a non-zero exit means this program itself broke.
import OktaJwtVerifier from '@okta/jwt-verifier';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const input = JSON.parse(Buffer.concat(chunks).toString('utf8'));

// The reference issuer runs on plain HTTP on a loopback port (a test double, no certificate): jwt-verifier refuses
// an http issuer unless its documented testing switch is set. Everything else it checks stays on.
const verifier = new OktaJwtVerifier({
  issuer: input.issuer,
  clientId: input.clientId,
  assertClaims: input.assertClaims,
  testing: { disableHttpsCheck: true },
});

// The verifier warns on stderr that the HTTPS check is off; keep stdout for the one JSON answer.
try {
  const jwt = input.kind === 'id'
    ? await verifier.verifyIdToken(input.token, input.clientId, input.nonce)
    : await verifier.verifyAccessToken(input.token, input.audience);
  process.stdout.write(JSON.stringify({ ok: true, claims: jwt.claims }) + '\n');
} catch (error) {
  process.stdout.write(JSON.stringify({ ok: false, error: String(error?.message ?? error) }) + '\n');
}
