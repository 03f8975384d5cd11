// A real OpenID Provider (oidc-provider 9, the library certified by the OpenID Foundation) on
// 127.0.0.1, for the OIDC tests: run as a child process, it prints `OIDC PROVIDER READY <issuer>`.
// Its sign-in and consent pages are oidc-provider's own development pages (devInteractions):
// any login name is accepted as the account (the password is ignored), and becomes the `sub`.
//
// argv[2]: JSON { clientId, clientSecret, redirectUris: [..], accountsFile, port?, issuerHost? }
// issuerHost: the issuer's host name (default 127.0.0.1; `localhost` keeps a browser's cookies for
// the provider apart from those of a relying party on 127.0.0.1).
// accountsFile: JSON { "<login>": { email?, email_verified?, name?, preferred_username? } },
// re-read at every token and userinfo request, so a test can change a user's email meanwhile.
import fs from 'node:fs';
import http from 'node:http';
import Provider from 'oidc-provider';

const o = JSON.parse(process.argv[2]);

const server = http.createServer((req, res) => handler(req, res));
let handler = (_req, res) => {
  res.statusCode = 503;
  res.end();
};

server.listen(o.port ?? 0, '127.0.0.1', () => {
  const issuer = `http://${o.issuerHost ?? '127.0.0.1'}:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: o.clientId,
        client_secret: o.clientSecret,
        redirect_uris: o.redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'preferred_username'],
    },
    // Every client must use PKCE here, so a relying party that forgot it fails.
    pkce: { required: () => true },
    cookies: { keys: ['tidyvault-test-provider-cookie-key'] },
    findAccount: (_ctx, id) => ({
      accountId: id,
      claims: () => {
        const accounts = JSON.parse(fs.readFileSync(o.accountsFile, 'utf8'));
        return { sub: id, ...(accounts[id] ?? {}) };
      },
    }),
    features: { devInteractions: { enabled: true } },
  });
  // Its development pages link a web font from a CDN: dropped, so a browser driven through
  // them in the tests never tries to leave this machine.
  provider.use(async (ctx, next) => {
    await next();
    if (typeof ctx.body === 'string' && ctx.type === 'text/html')
      ctx.body = ctx.body.replace(/@import url\(https:\/\/fonts\.googleapis\.com[^)]*\);?/g, '');
  });
  handler = provider.callback();
  process.stdout.write(`OIDC PROVIDER READY ${issuer}\n`);
});

process.on('SIGTERM', () => server.close(() => process.exit(0)));
