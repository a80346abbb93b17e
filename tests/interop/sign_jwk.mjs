#!/usr/bin/env node
// VC-JWTs signed by jose for talentbank's OB 3.0 §8.2.3 key resolution (issue 21).
//
//   echo '{"origin": "https://issuer.test:PORT", "credential": {...}, "claims": {iss, jti, nbf, ...}}' \
//     | node sign_jwk.mjs       (the payload is the credential with its OB 3.0 §8.2.4 claims)
//
// Makes an issuer key and a stranger's key (Ed25519, jose.generateKeyPair) and prints one JSON object:
//   {"documents": {"/key.json": JWK, "/jwks.json": JWK Set with the issuer key as kid "k2"},
//    "tokens": {"https-kid", "jwks-kid", "published-jwk-header", "wrong-key", "unpublished-jwk",
//               "unreachable-kid"}}
// The caller serves the documents at the origin; the credential's issuer id should be on it.
import * as jose from 'jose';

import {readStdinOrFile} from './lib.mjs';

const {origin, credential, claims} = JSON.parse(await readStdinOrFile(process.argv[2]));
const options = {crv: 'Ed25519', extractable: true};
const issuer = await jose.generateKeyPair('EdDSA', options);
const stranger = await jose.generateKeyPair('EdDSA', options);
const otherPublished = await jose.generateKeyPair('EdDSA', options);
const issuerJwk = await jose.exportJWK(issuer.publicKey);
const strangerJwk = await jose.exportJWK(stranger.publicKey);
const keySet = {keys: [{...await jose.exportJWK(otherPublished.publicKey), kid: 'k1'}, {...issuerJwk, kid: 'k2'}]};

async function sign(privateKey, header) {
  return new jose.SignJWT({...credential, ...claims})
    .setProtectedHeader({alg: 'EdDSA', typ: 'JWT', ...header})
    .sign(privateKey);
}

const tokens = {
  'https-kid': await sign(issuer.privateKey, {kid: `${origin}/key.json`}),
  'jwks-kid': await sign(issuer.privateKey, {kid: `${origin}/jwks.json#k2`}),
  'published-jwk-header': await sign(issuer.privateKey, {kid: `${origin}/jwks.json#k2`, jwk: issuerJwk}),
  'wrong-key': await sign(stranger.privateKey, {kid: `${origin}/key.json`}),
  'unpublished-jwk': await sign(stranger.privateKey, {kid: `${origin}/key.json`, jwk: strangerJwk}),
  'unreachable-kid': await sign(issuer.privateKey, {kid: `${origin}/missing-key.json`})
};
process.stdout.write(JSON.stringify({documents: {'/key.json': issuerJwk, '/jwks.json': keySet}, tokens}) + '\n');
