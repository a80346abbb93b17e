// A holder presenting its credentials with libraries we did not write: a Data Integrity presentation
// (VerifiablePresentation, eddsa-rdfc-2022, proofPurpose authentication with challenge and domain) signed by
// Digital Bazaar's `vc.signPresentation` with @digitalbazaar/data-integrity and the holder's did:key Ed25519
// key (@digitalbazaar/ed25519-multikey), and a VP-JWT (vp, nonce, aud, iss = the holder DID) signed by `jose`.
// Nothing goes to the network: only the bundled contexts are loaded; the test posts the presentations.
//
// stdin: {"jobs": [{"format": "di" | "jwt", "private_jwk": {...} | null (null: a fresh key, another holder),
//                   "credentials": [credential (object) or VC-JWT (string)], "challenge", "domain"}]}
// stdout: [{"holder": did, "presentation": object | jwt, "error": null | text}]
import {readFileSync} from 'node:fs';

import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import * as jose from 'jose';

import {documentLoader, errorText, guardFetch} from './lib.mjs';

guardFetch();

async function holderKey(privateJwk) {
  const keyPair = privateJwk
    ? await Ed25519Multikey.fromJwk({jwk: privateJwk, secretKey: true})
    : await Ed25519Multikey.generate();
  const did = `did:key:${keyPair.publicKeyMultibase}`;
  keyPair.id = `${did}#${keyPair.publicKeyMultibase}`;
  keyPair.controller = did;
  return {keyPair, did, jwk: privateJwk || await Ed25519Multikey.toJwk({keyPair, secretKey: true})};
}

async function present(job) {
  const {keyPair, did, jwk} = await holderKey(job.private_jwk);
  if(job.format === 'jwt') {
    const vp = {
      '@context': ['https://www.w3.org/ns/credentials/v2'],
      type: ['VerifiablePresentation'],
      verifiableCredential: job.credentials
    };
    const privateKey = await jose.importJWK({...jwk, alg: 'EdDSA'}, 'EdDSA');
    const token = await new jose.SignJWT({vp, nonce: job.challenge})
      .setProtectedHeader({alg: 'EdDSA', typ: 'JWT', kid: keyPair.id})
      .setIssuer(did).setAudience(job.domain).setIssuedAt().setExpirationTime('5m')
      .sign(privateKey);
    return {holder: did, presentation: token, error: null};
  }
  const suite = new DataIntegrityProof({signer: keyPair.signer(), cryptosuite: eddsaRdfc2022CryptoSuite});
  const presentation = vc.createPresentation({verifiableCredential: job.credentials, holder: did, version: 2.0});
  const signed = await vc.signPresentation({
    presentation, suite, challenge: job.challenge, domain: job.domain, documentLoader
  });
  return {holder: did, presentation: signed, error: null};
}

const input = JSON.parse(readFileSync(0, 'utf8'));
const results = [];
for(const job of input.jobs) {
  try {
    results.push(await present(job));
  } catch(error) {
    results.push({holder: null, presentation: null, error: errorText(error)});
  }
}
process.stdout.write(JSON.stringify(results));
