#!/usr/bin/env node
// Verify credentials with independent (Node) implementations, offline.
//
//   node verify.mjs [FILE|-]      (default: stdin)
//
// Input: a JSON array; each item is a Data Integrity credential (JSON object) or a VC-JWT
// (compact JWS string). Or a JSON object {"credentials": [...that array...], "documents": {url or
// DID -> JSON document}}: the documents are a static resolver standing in for the network (e.g. a
// did:web DID document keyed by the DID and by its https://.../did.json URL, and a
// BitstringStatusListCredential keyed by its URL), and "origins": {public origin -> loopback origin}
// whose URLs (and did:web DIDs) are fetched over HTTP from the running app; see lib.mjs.
// Each entry also lists "unknownContexts": @context URLs neither published nor on an origin.
// Output (stdout): a JSON array, one entry per credential:
//   {"index": 0, "format": "data-integrity"|"vc-jwt"|"unknown",
//    "results": [{"verifier": "...", "verified": bool, "error": str|null, ...details}]}
// Exit code 0 unless the input cannot be read (a failed verification is a result, not an error).
//
// Verifiers:
//   data-integrity: "@digitalbazaar/vc"  (vc.verifyCredential + DataIntegrityProof with the
//                                          eddsa-rdfc-2022 cryptosuite, our static loader; a
//                                          credentialStatus is checked with
//                                          @digitalbazaar/vc-bitstring-status-list)
//                   "@digitalcredentials/verifier-core" (its own bundled loader and suites; it
//                                          resolves did:web and status lists with fetch, which
//                                          the guard answers from "documents")
//   vc-jwt:         "jose" (jwtVerify, EdDSA only, key from the verification method the kid names:
//                           did:key resolved locally, other DIDs from "documents"; publicKeyJwk if
//                           the method has one, else its publicKeyMultibase as a JWK; a
//                           credentialStatus in the payload is checked with
//                           @digitalbazaar/vc-bitstring-status-list)
//                   for kids that are not did:key, two more views of the same token:
//                   "jose (kid -> publicKeyJwk)"  strict OB 3.0 §8.2.3 reading: the kid must
//                                          dereference to a JWK (a method with publicKeyJwk)
//                   "jose (DID document publicKeyJwk)"  the publicKeyJwk of the DID document's
//                                          JWK assertion methods (reports which one verified)
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {checkStatus as checkBitstringStatus} from '@digitalbazaar/vc-bitstring-status-list';
import * as jose from 'jose';

import {
  dereferenceStaticDid, documentLoader, didKeyDriver, errorText, fetchLog, guardFetch,
  isResolvableContext, loadDid, readStdinOrFile, useLiveOrigins, useStaticDocuments
} from './lib.mjs';

// Before verifier-core is loaded: it fetches with the global fetch (ky / http-client).
guardFetch();
const verifierCore = await import('@digitalcredentials/verifier-core');

// {checked, verified, revoked, error} from a vc.verifyCredential statusResult (null: no status).
function statusSummary(statusResult) {
  if(!statusResult) {
    return null;
  }
  const error = errorText(statusResult.error);
  return {
    checked: true,
    verified: statusResult.verified === true,
    // revoked = the list was loaded and verified, and the bit is set (not: could not check)
    revoked: !error && statusResult.verified === false,
    error
  };
}

// @digitalbazaar/vc-bitstring-status-list 2.x answers "could the status be checked" (verified) and
// gives each entry's bit as `status`; what a set bit means is the caller's decision. For the
// revocation purpose a set bit means revoked, so the credential must not verify.
async function checkRevocationStatus(options) {
  const result = await checkBitstringStatus(options);
  if(result.verified !== true || !Array.isArray(result.results)) {
    return result;
  }
  const revoked = result.results.some(r =>
    r.status === true && r.credentialStatus?.statusPurpose === 'revocation');
  return {...result, verified: !revoked};
}

async function verifyWithDigitalBazaar(credential) {
  const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite});
  try {
    const options = {credential, suite, documentLoader};
    if(credential.credentialStatus) {
      options.checkStatus = checkRevocationStatus;
    }
    const result = await vc.verifyCredential(options);
    const proofResults = result.results || [];
    return {
      verifier: '@digitalbazaar/vc',
      verified: result.verified === true,
      error: result.verified ? null : errorText(result.error) ||
        errorText(proofResults.map(r => r.error).filter(Boolean)) || 'not verified',
      signatureVerified: proofResults.length > 0 && proofResults.every(r => r.verified === true),
      status: statusSummary(result.statusResult)
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
    const statusStep = log.revocation_status;
    return {
      verifier: '@digitalcredentials/verifier-core',
      verified,
      signatureVerified: !result.errors && signatureOk,
      status: statusStep ? {
        checked: true,
        verified: statusStep.valid === true,
        revoked: statusStep.valid === false && !statusStep.error,
        error: statusStep.error ? `${statusStep.error.name}: ${statusStep.error.message}` : null
      } : null,
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

// The verification method a kid names: did:key resolved by the did:key driver, any other DID URL
// from the static documents. Checks that the method belongs to the DID (controller) and is an
// assertion method of it.
async function resolveKid(kid) {
  if(typeof kid !== 'string' || !kid.startsWith('did:') || !kid.includes('#')) {
    throw new Error(`kid is not a DID URL of a verification method: ${kid}`);
  }
  const did = kid.split('#')[0];
  await loadDid(did);
  if(kid.startsWith('did:key:')) {
    const method = await didKeyDriver.get({url: kid});
    if(method.id !== kid || typeof method.publicKeyMultibase !== 'string') {
      throw new Error(`kid does not resolve to a Multikey method: ${kid}`);
    }
    return {did, method, didDocument: null};
  }
  const didDocument = dereferenceStaticDid(did);
  const method = dereferenceStaticDid(kid);
  if(!didDocument || !method) {
    throw new Error(`kid does not resolve (no DID document or no such method): ${kid}`);
  }
  const fragment = `#${kid.split('#')[1]}`;
  const listed = (didDocument.assertionMethod || []).some(m =>
    [kid, fragment].includes(typeof m === 'string' ? m : m?.id));
  if(method.controller !== did || !listed) {
    throw new Error(`kid is not an assertion method controlled by ${did}: ${kid}`);
  }
  return {did, method, didDocument};
}

async function jwkOfMethod(method) {
  if(method.publicKeyJwk) {
    return {jwk: method.publicKeyJwk, keySource: 'publicKeyJwk'};
  }
  if(typeof method.publicKeyMultibase === 'string') {
    const keyPair = await Ed25519Multikey.from(method);
    return {jwk: await Ed25519Multikey.toJwk({keyPair}), keySource: 'publicKeyMultibase'};
  }
  throw new Error(`verification method has no usable public key: ${method.id}`);
}

async function joseVerify(token, jwk, did) {
  // The algorithm is left to jose (algorithms: ['EdDSA'] rejects "none", HS256, ...).
  const key = await jose.importJWK({...jwk, alg: 'EdDSA'}, 'EdDSA');
  return jose.jwtVerify(token, key, {
    algorithms: ['EdDSA'],
    issuer: did, // iss must be the DID that controls the key
    clockTolerance: 60
  });
}

// A VC-JWT's credentialStatus (the payload is the credential, OB 3.0 §8.2.4), checked with
// @digitalbazaar/vc-bitstring-status-list like a Data Integrity credential's: the list is loaded with
// our loader and its own proof verified; a set revocation bit means revoked.
async function jwtStatus(payload) {
  if(!payload.credentialStatus) {
    return null;
  }
  const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite});
  return statusSummary(await checkRevocationStatus({credential: payload, documentLoader, suite}));
}

async function verifyJwtWithJose(token) {
  try {
    const header = jose.decodeProtectedHeader(token);
    const {did, method} = await resolveKid(header.kid);
    const {jwk, keySource} = await jwkOfMethod(method);
    const {payload, protectedHeader} = await joseVerify(token, jwk, did);
    const status = await jwtStatus(payload);
    const verified = !status || status.verified;
    return {
      verifier: 'jose', verified, error: verified ? null : status.error || 'revoked (status list bit set)',
      signatureVerified: true, status, keySource,
      header: protectedHeader, iss: payload.iss, jti: payload.jti ?? null
    };
  } catch(e) {
    return {verifier: 'jose', verified: false, error: errorText(e)};
  }
}

// OB 3.0 §8.2.3 (JOSE header): kid is "a URI that can be dereferenced to an object of type JWK
// representing the public key". A JOSE-only verifier takes the publicKeyJwk of what the kid names.
async function verifyJwtKidToJwk(token) {
  const verifier = 'jose (kid -> publicKeyJwk)';
  try {
    const header = jose.decodeProtectedHeader(token);
    const {did, method} = await resolveKid(header.kid);
    if(!method.publicKeyJwk) {
      throw new Error(`kid ${header.kid} dereferences to a ${method.type} method without ` +
        'publicKeyJwk (OB 3.0 §8.2.3: the kid must dereference to a JWK)');
    }
    await joseVerify(token, method.publicKeyJwk, did);
    return {verifier, verified: true, error: null, methodId: method.id};
  } catch(e) {
    return {verifier, verified: false, error: errorText(e)};
  }
}

// The JWKs the issuer's DID document publishes for assertions: does one of them verify the token?
async function verifyJwtWithPublishedJwk(token) {
  const verifier = 'jose (DID document publicKeyJwk)';
  try {
    const header = jose.decodeProtectedHeader(token);
    const {did, didDocument} = await resolveKid(header.kid);
    const candidates = (didDocument.assertionMethod || [])
      .map(m => dereferenceStaticDid(typeof m === 'string' ?
        (m.startsWith('#') ? did + m : m) : m.id))
      .filter(m => m && m.controller === did && m.publicKeyJwk);
    const errors = [];
    for(const method of candidates) {
      try {
        await joseVerify(token, method.publicKeyJwk, did);
        return {verifier, verified: true, error: null, methodId: method.id,
          candidates: candidates.map(m => m.id)};
      } catch(e) {
        errors.push(`${method.id}: ${errorText(e)}`);
      }
    }
    return {verifier, verified: false, candidates: candidates.map(m => m.id),
      error: errors.join('; ') || 'no JWK assertion method in the DID document'};
  } catch(e) {
    return {verifier, verified: false, error: errorText(e)};
  }
}

// The @context URLs a credential names that no verifier on the internet could load.
function unknownContexts(item) {
  let credential = item;
  if(typeof item === 'string') {
    try {
      credential = jose.decodeJwt(item);
    } catch{
      return [];
    }
  }
  const named = [].concat(credential?.['@context'] ?? []);
  return named.filter(c => typeof c === 'string' && !isResolvableContext(c));
}

async function verifyItem(item, index) {
  const entry = await verifyOne(item, index);
  return {...entry, unknownContexts: unknownContexts(item)};
}

async function verifyOne(item, index) {
  if(typeof item === 'string') {
    const results = [await verifyJwtWithJose(item)];
    let kid = null;
    try {
      kid = jose.decodeProtectedHeader(item).kid;
    } catch{
      // not a JWS: the jose result above says so
    }
    if(typeof kid === 'string' && kid.startsWith('did:') && !kid.startsWith('did:key:')) {
      results.push(await verifyJwtKidToJwk(item), await verifyJwtWithPublishedJwk(item));
    }
    return {index, format: 'vc-jwt', results};
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

let input = JSON.parse(await readStdinOrFile(process.argv[2]));
if(input && typeof input === 'object' && !Array.isArray(input)) {
  useStaticDocuments(input.documents);
  useLiveOrigins(input.origins);
  input = input.credentials;
}
if(!Array.isArray(input)) {
  throw new Error('input must be a JSON array, or an object {"credentials": [...], "documents": {...}}');
}
const output = [];
for(const [index, item] of input.entries()) {
  output.push(await verifyItem(item, index));
}
process.stdout.write(JSON.stringify(output, null, 2) + '\n');
