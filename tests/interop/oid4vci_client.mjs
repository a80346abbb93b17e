// A wallet built on an OpenID4VCI client library we did not write, `@openid4vc/openid4vci` (OpenWallet
// Foundation Labs' oid4vc-ts): the library parses the offer URI, fetches and validates the issuer's and the
// authorisation server's metadata, redeems the pre-authorised code (with the transaction code), asks the
// nonce endpoint, builds the proof JWT and the credential request, and parses the credential response.
// Our code only holds the key: it signs what the library hands it (jose, Ed25519) and names the key as
// did:key (derived by `@digitalbazaar/ed25519-multikey`) or as a jwk; or it is a P-256 key (ES256) sent as a jwk.
//
// stdin: {"jobs": [{"offer_uri", "tx_code", "key": "did:key" | "jwk" | "jwk-p256", "configurations": [...] | null,
//                   "expect_error": bool, "export_key": bool}]}
// stdout: [{"holder_did", "jwk", "private_jwk" (with export_key), "token_type", "formats", "credentials": {id: credential}, "requests",
//           "error": {"stage", "status", "code", "message"} | null}]
import {createHash, randomBytes} from 'node:crypto';
import {readFileSync} from 'node:fs';
import {CompactSign, exportJWK, generateKeyPair} from 'jose';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {clientAuthenticationNone} from '@openid4vc/oauth2';
import {Openid4vciClient} from '@openid4vc/openid4vci';
import {setGlobalConfig} from '@openid4vc/utils';

// The app is on http://127.0.0.1 in the test; the library refuses plain http unless told.
setGlobalConfig({allowInsecureUrls: true});

const requests = [];
const loggedFetch = async (url, init) => {
  const response = await fetch(url, init);
  const body = init?.body === undefined ? null : String(init.body);
  requests.push({method: init?.method || 'GET', url: String(url), status: response.status, body});
  return response;
};

async function holderKey(kind) {
  if(kind === 'jwk-p256') {
    const {publicKey, privateKey} = await generateKeyPair('ES256', {extractable: true});
    const {kty, crv, x, y} = await exportJWK(publicKey);
    const jwk = {kty, crv, x, y};
    return {privateKey, jwk, did: null, signer: {method: 'jwk', alg: 'ES256', publicJwk: jwk}};
  }
  const {publicKey, privateKey} = await generateKeyPair('EdDSA', {crv: 'Ed25519', extractable: true});
  const {kty, crv, x} = await exportJWK(publicKey);
  const jwk = {kty, crv, x};
  if(kind === 'jwk') {
    return {privateKey, jwk, did: null, signer: {method: 'jwk', alg: 'EdDSA', publicJwk: jwk}};
  }
  const multikey = await Ed25519Multikey.fromJwk({jwk});
  const did = `did:key:${multikey.publicKeyMultibase}`;
  const didUrl = `${did}#${multikey.publicKeyMultibase}`;
  return {privateKey, jwk, did, signer: {method: 'did', alg: 'EdDSA', didUrl}};
}

function callbacksFor(privateKey, jwk) {
  return {
    fetch: loggedFetch,
    clientAuthentication: clientAuthenticationNone({clientId: 'talentbank-interop-wallet'}),
    generateRandom: byteLength => new Uint8Array(randomBytes(byteLength)),
    hash: (data, alg) => new Uint8Array(createHash(alg.replace('-', '').toLowerCase()).update(data).digest()),
    signJwt: async (signer, {header, payload}) => {
      const jwt = await new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
        .setProtectedHeader(header).sign(privateKey);
      return {jwt, signerJwk: jwk};
    }
  };
}

function describe(error, stage) {
  const response = error.errorResponse || error.response?.credentialErrorResponseResult?.data;
  return {
    stage,
    status: error.response?.status ?? error.response?.credentialResponse?.status ?? null,
    code: response?.error ?? null,
    message: String(error.message).slice(0, 500)
  };
}

async function runJob(job) {
  const key = await holderKey(job.key);
  const client = new Openid4vciClient({callbacks: callbacksFor(key.privateKey, key.jwk)});
  const result = {holder_did: key.did, jwk: key.jwk, credentials: {}, error: null};
  if(job.export_key) {  // the holder's private key, for present.mjs to sign presentations with
    result.private_jwk = await exportJWK(key.privateKey);
  }
  let stage = 'offer';
  try {
    const offer = await client.resolveCredentialOffer(job.offer_uri);
    stage = 'metadata';
    const issuerMetadata = await client.resolveIssuerMetadata(offer.credential_issuer);
    result.formats = Object.fromEntries(Object.entries(issuerMetadata.credentialIssuer
      .credential_configurations_supported).map(([id, config]) => [id, config.format]));
    result.draft = issuerMetadata.originalDraftVersion;
    stage = 'token';
    const {accessTokenResponse} = await client.retrievePreAuthorizedCodeAccessTokenFromOffer({
      credentialOffer: offer, issuerMetadata, txCode: job.tx_code ?? undefined
    });
    result.token_type = accessTokenResponse.token_type;
    for(const credentialConfigurationId of job.configurations || offer.credential_configuration_ids) {
      stage = `nonce ${credentialConfigurationId}`;
      const {c_nonce: nonce} = await client.requestNonce({issuerMetadata});
      stage = `credential ${credentialConfigurationId}`;
      const {jwt} = await client.createCredentialRequestJwtProof({
        issuerMetadata, credentialConfigurationId, signer: key.signer, nonce
      });
      const response = await client.retrieveCredentials({
        issuerMetadata, accessToken: accessTokenResponse.access_token, credentialConfigurationId,
        proofs: {jwt: [jwt]}
      });
      result.credentials[credentialConfigurationId] = response.credentialResponse.credentials[0].credential;
    }
  } catch(error) {
    result.error = describe(error, stage);
  }
  return result;
}

const input = JSON.parse(readFileSync(0, 'utf8'));
const results = [];
for(const job of input.jobs) {
  requests.length = 0;
  const result = await runJob(job);
  results.push({...result, requests: [...requests]});
}
process.stdout.write(JSON.stringify(results));
