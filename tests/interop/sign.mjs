#!/usr/bin/env node
// Issue credentials with independent (Node) implementations, offline.
//
//   node sign.mjs
//
// Generates a fresh Ed25519 key as a did:key (@digitalbazaar/ed25519-multikey +
// @digitalbazaar/did-method-key), builds a schema-valid OB 3.0 OpenBadgeCredential issued by that
// DID, and prints (stdout) one JSON object:
//   {"did": "did:key:z6Mk...", "verificationMethod": "did:key:z6Mk...#z6Mk...",
//    "dataIntegrity": {...credential with an eddsa-rdfc-2022 proof (@digitalbazaar/vc)...},
//    "jwt": "eyJ...  (VC-JWT signed with jose, EdDSA, kid = the did:key method)",
//    "credential": {...the unsigned credential both were made from...}}
import {randomUUID} from 'node:crypto';

import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import * as jose from 'jose';

import {
  OB_EXTENSIONS, OB_V3P0, VC_V2, didKeyDriver, documentLoader, guardFetch
} from './lib.mjs';

guardFetch();

function xsdDateTime(date) {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const keyPair = await Ed25519Multikey.generate();
const {didDocument, methodFor} = await didKeyDriver.fromKeyPair({verificationKeyPair: keyPair});
const did = didDocument.id;
const signingMethod = methodFor({purpose: 'assertionMethod'});
keyPair.id = signingMethod.id;
keyPair.controller = did;

const now = new Date();
const validFrom = new Date(now.getTime() - 60 * 60 * 1000);
const validUntil = new Date(now.getTime() + 365 * 24 * 60 * 60 * 1000);
const recipient = await Ed25519Multikey.generate();

// OB 3.0 §B.1.2 OpenBadgeCredential, valid against ob_v3p0_achievementcredential_schema.json.
const credential = {
  '@context': [VC_V2, OB_V3P0, OB_EXTENSIONS],
  id: `urn:uuid:${randomUUID()}`,
  type: ['VerifiableCredential', 'OpenBadgeCredential'],
  issuer: {
    id: did,
    type: ['Profile'],
    name: 'Node interop issuer (@digitalbazaar/vc)',
    url: 'https://issuer.example/'
  },
  validFrom: xsdDateTime(validFrom),
  validUntil: xsdDateTime(validUntil),
  name: 'Interop badge signed in Node',
  credentialSubject: {
    id: `did:key:${recipient.publicKeyMultibase}`,
    type: ['AchievementSubject'],
    achievement: {
      id: 'https://issuer.example/achievements/interop',
      type: ['Achievement'],
      achievementType: 'Competency',
      name: 'データ分析基礎 (interop)',
      description: 'Signed by the Node reference libraries.',
      criteria: {narrative: 'Verify this credential with an independent implementation.'},
      image: {id: 'https://issuer.example/achievements/interop/image.png', type: 'Image'},
      tag: ['interop']
    }
  }
};

// Data Integrity, eddsa-rdfc-2022.
const suite = new DataIntegrityProof({
  signer: keyPair.signer(),
  cryptosuite: eddsaRdfc2022CryptoSuite,
  date: validFrom
});
const dataIntegrity = await vc.issue({
  credential: structuredClone(credential), suite, documentLoader
});

// VC-JWT (OB 3.0 §8.2 / VC-JWT): the credential is the payload, plus the registered claims.
const privateJwk = await Ed25519Multikey.toJwk({keyPair, secretKey: true});
// ed25519-multikey's secret key is seed || public key (64 bytes); a JWK "d" is the 32-byte seed.
const seed = Buffer.from(privateJwk.d, 'base64url').subarray(0, 32);
const privateKey = await jose.importJWK(
  {...privateJwk, d: seed.toString('base64url'), alg: 'EdDSA'}, 'EdDSA');
const jwt = await new jose.SignJWT(structuredClone(credential))
  .setProtectedHeader({alg: 'EdDSA', kid: signingMethod.id, typ: 'JWT'})
  .setIssuer(did)
  .setJti(credential.id)
  .setSubject(credential.credentialSubject.id)
  .setNotBefore(Math.floor(validFrom.getTime() / 1000))
  .setExpirationTime(Math.floor(validUntil.getTime() / 1000))
  .sign(privateKey);

process.stdout.write(JSON.stringify({
  did, verificationMethod: signingMethod.id, credential, dataIntegrity, jwt
}, null, 2) + '\n');
