// A wallet stand-in built on the libraries the Learner Credential Wallet signs with
// (@digitalcredentials/vc, ed25519-signature-2020, ed25519-verification-key-2020), taking its
// steps of a VC-API exchange: GET the interaction URL with iuv=1 (JSON), POST {} to the
// exchange, sign the DIDAuthentication presentation with a fresh did:key (challenge and domain
// of the request), POST it, and print the answer (the presentation holding the credential).
//
// usage: node lcw-exchange.mjs INTERACTION_URL MODULES_DIR
//   MODULES_DIR: a node_modules folder holding those libraries (the conformance toolchain's).
import { createRequire } from 'node:module';
import { join } from 'node:path';

const [interaction, modules] = process.argv.slice(2);
const require = createRequire(join(modules, 'package.json'));
const vc = require('@digitalcredentials/vc');
const { Ed25519Signature2020 } = require('@digitalcredentials/ed25519-signature-2020');
const { Ed25519VerificationKey2020 } = require('@digitalcredentials/ed25519-verification-key-2020');
const { securityLoader } = require('@digitalcredentials/security-document-loader');

const json = async (response) => {
  const text = await response.text();
  if (!response.ok) throw new Error(`${response.status}: ${text}`);
  return JSON.parse(text);
};

const offer = await json(await fetch(interaction, { headers: { Accept: 'application/json' } }));
const url = offer.protocols.vcapi;
const post = (target, body) => fetch(target, {
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(body, null, 2),
});
const first = await json(await post(url, {}));
const { query, challenge, domain, interact } = first.verifiablePresentationRequest;
const queries = Array.isArray(query) ? query : [query];
if (!queries.some((q) => q.type === 'DIDAuthentication' || q.type === 'DIDAuth')) {
  throw new Error(`not a DIDAuth request: ${JSON.stringify(first)}`);
}

const key = await Ed25519VerificationKey2020.generate();
const did = `did:key:${key.fingerprint()}`;
key.controller = did;
key.id = `${did}#${key.fingerprint()}`;
const suite = new Ed25519Signature2020({ key });
const documentLoader = securityLoader({ fetchRemoteContexts: false }).build();
const presentation = vc.createPresentation({ holder: did });
const signed = await vc.signPresentation({ presentation, challenge, domain, suite, documentLoader });

const target = interact?.service?.[0]?.serviceEndpoint ?? url;
const answer = await json(await post(target, { verifiablePresentation: signed }));
process.stdout.write(JSON.stringify({ holder: did, answer }));
