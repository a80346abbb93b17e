#!/usr/bin/env node
// Verify credentials with independent (Node) implementations, offline.
//
//   node verify.mjs [FILE|-]      (default: stdin)
//
// Input: a JSON array; each item is a Data Integrity credential (JSON object) or a VC-JWT
// (compact JWS string). Output (stdout): a JSON array, one entry per input item:
//   {"index": 0, "format": "data-integrity"|"vc-jwt"|"unknown",
//    "results": [{"verifier": "...", "verified": bool, "error": str|null, ...details}]}
// Exit code 0 unless the input cannot be read (a failed verification is a result, not an error).
//
// Verifiers:
//   data-integrity: "@digitalbazaar/vc"  (vc.verifyCredential + DataIntegrityProof with the
//                                          eddsa-rdfc-2022 cryptosuite, our static loader)
//                   "@digitalcredentials/verifier-core" (its own bundled loader and suites)
//   vc-jwt:         "jose" (jwtVerify, EdDSA only, key from the did:key in the kid)
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import * as jose from 'jose';

import {
  documentLoader, didKeyDriver, errorText, fetchLog, guardFetch, readStdinOrFile
} from './lib.mjs';

// Before verifier-core is loaded: it fetches with the global fetch (ky / http-client).
guardFetch();
const verifierCore = await import('@digitalcredentials/verifier-core');

async function verifyWithDigitalBazaar(credential) {
  const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite});
  try {
    const result = await vc.verifyCredential({credential, suite, documentLoader});
    return {
      verifier: '@digitalbazaar/vc',
      verified: result.verified === true,
      error: result.verified ? null : errorText(result.error) ||
        errorText(result.results?.map(r => r.error).filter(Boolean)) || 'not verified'
    };
  } catch(e) {
    return {verifier: '@digitalbazaar/vc', verified: false, error: errorText(e)};
  }
}

async function verifyWithVerifierCore(credential) {
  const fetchesBefore = fetchLog.length;
  try {
    const result = await verifierCore.verifyCredential({credential, knownDIDRegistries: []});
    const log = Object.fromEntries((result.log || []).map(step => [step.id, step]));
    const signatureOk = log.valid_signature?.valid === true;
    const expirationOk = log.expiration ? log.expiration.valid === true : true;
    const revocationOk = log.revocation_status ? log.revocation_status.valid === true : true;
    const verified = !result.errors && signatureOk && expirationOk && revocationOk;
    const schema = (result.additionalInformation || []).find(e => e.id === 'schema_check');
    const schemaResults = Array.isArray(schema?.results) ?
      schema.results.map(r => ({schema: r.schema, valid: r.result?.valid ?? null,
        errors: r.result?.errors?.map(err => `${err.instancePath} ${err.message}`) ?? []})) :
      (schema?.results ?? null);
    return {
      verifier: '@digitalcredentials/verifier-core',
      verified,
      error: verified ? null :
        (result.errors ? result.errors.map(e => `${e.name}: ${e.message}`).join('; ') :
          `log: ${JSON.stringify(result.log)}`),
      log: (result.log || []).map(s => ({id: s.id, valid: s.valid ?? null})),
      schema: schemaResults,
      fetched: fetchLog.slice(fetchesBefore)
    };
  } catch(e) {
    return {verifier: '@digitalcredentials/verifier-core', verified: false, error: errorText(e)};
  }
}

async function verifyJwtWithJose(token) {
  try {
    const header = jose.decodeProtectedHeader(token);
    // The algorithm is left to jose (algorithms: ['EdDSA'] below rejects "none", HS256, ...).
    if(typeof header.kid !== 'string' || !header.kid.startsWith('did:key:')) {
      throw new Error(`kid is not a did:key verification method: ${header.kid}`);
    }
    // Resolve the did:key (did-method-key driver), pick the method named by the kid.
    const method = await didKeyDriver.get({url: header.kid});
    if(method.id !== header.kid || typeof method.publicKeyMultibase !== 'string') {
      throw new Error(`kid does not resolve to a Multikey method: ${header.kid}`);
    }
    const keyPair = await Ed25519Multikey.from(method);
    const jwk = await Ed25519Multikey.toJwk({keyPair});
    const key = await jose.importJWK({...jwk, alg: 'EdDSA'}, 'EdDSA');
    const did = header.kid.split('#')[0];
    const {payload, protectedHeader} = await jose.jwtVerify(token, key, {
      algorithms: ['EdDSA'],
      issuer: did, // iss must be the DID that controls the key
      clockTolerance: 60
    });
    return {
      verifier: 'jose', verified: true, error: null,
      header: protectedHeader, iss: payload.iss, jti: payload.jti ?? null
    };
  } catch(e) {
    return {verifier: 'jose', verified: false, error: errorText(e)};
  }
}

async function verifyItem(item, index) {
  if(typeof item === 'string') {
    return {index, format: 'vc-jwt', results: [await verifyJwtWithJose(item)]};
  }
  if(item && typeof item === 'object' && !Array.isArray(item)) {
    // Each verifier gets its own copy: libraries may annotate the object they are given.
    const results = [
      await verifyWithDigitalBazaar(structuredClone(item)),
      await verifyWithVerifierCore(structuredClone(item))
    ];
    return {index, format: 'data-integrity', results};
  }
  return {index, format: 'unknown', results: [
    {verifier: 'none', verified: false, error: 'item is neither an object nor a string'}]};
}

const input = JSON.parse(await readStdinOrFile(process.argv[2]));
if(!Array.isArray(input)) {
  throw new Error('input must be a JSON array');
}
const output = [];
for(const [index, item] of input.entries()) {
  output.push(await verifyItem(item, index));
}
process.stdout.write(JSON.stringify(output, null, 2) + '\n');
