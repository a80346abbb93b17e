// A wallet that is not talentbank's code: it reads an OpenID4VCI 1.0 credential offer, discovers the
// issuer's and the authorisation server's metadata, exchanges the pre-authorised code (and transaction
// code) at the token endpoint, fetches a c_nonce, signs the proof JWT with `jose` (Ed25519, did:key or
// an embedded jwk) and asks the credential endpoint for every offered configuration, over plain HTTP.
// stdin: {"offer_uri", "tx_code", "key": "did:key" | "jwk"}; stdout: {"holder_did", "credentials", ...}.
import {readFileSync} from 'node:fs';
import {SignJWT, exportJWK, generateKeyPair} from 'jose';

const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
function base58btc(bytes) {
  let value = 0n;
  for(const byte of bytes) {
    value = value * 256n + BigInt(byte);
  }
  let text = '';
  while(value > 0n) {
    text = ALPHABET[Number(value % 58n)] + text;
    value /= 58n;
  }
  for(const byte of bytes) {
    if(byte !== 0) {
      break;
    }
    text = '1' + text;
  }
  return text;
}

async function json(response, what) {
  const body = await response.json();
  if(!response.ok) {
    throw new Error(`${what}: HTTP ${response.status} ${JSON.stringify(body)}`);
  }
  return body;
}

const input = JSON.parse(readFileSync(0, 'utf8'));
const url = new URL(input.offer_uri);
if(url.protocol !== 'openid-credential-offer:') {
  throw new Error(`not a credential offer: ${input.offer_uri}`);
}
const offer = JSON.parse(url.searchParams.get('credential_offer'));
const issuer = offer.credential_issuer;
const metadata = await json(await fetch(`${issuer}/.well-known/openid-credential-issuer`), 'issuer metadata');
const server = await json(await fetch(`${issuer}/.well-known/oauth-authorization-server`), 'AS metadata');
const grantType = 'urn:ietf:params:oauth:grant-type:pre-authorized_code';
const grant = offer.grants[grantType];
const form = new URLSearchParams({'grant_type': grantType, 'pre-authorized_code': grant['pre-authorized_code']});
if(grant.tx_code) {
  form.set('tx_code', input.tx_code);
}
const token = await json(await fetch(server.token_endpoint, {method: 'POST', body: form}), 'token');

const {publicKey, privateKey} = await generateKeyPair('EdDSA', {crv: 'Ed25519'});
const jwk = await exportJWK(publicKey);
const raw = Buffer.from(jwk.x, 'base64url');
const multibase = 'z' + base58btc(Buffer.concat([Buffer.from([0xed, 0x01]), raw]));
const header = {alg: 'EdDSA', typ: 'openid4vci-proof+jwt'};
let holderDid;
if(input.key === 'jwk') {
  header.jwk = {kty: jwk.kty, crv: jwk.crv, x: jwk.x};
  holderDid = null; // the issuer derives did:jwk
} else {
  holderDid = `did:key:${multibase}`;
  header.kid = `${holderDid}#${multibase}`;
}

const credentials = {};
for(const configuration of offer.credential_configuration_ids) {
  if(!(configuration in metadata.credential_configurations_supported)) {
    throw new Error(`offer names ${configuration}, metadata does not`);
  }
  const {c_nonce: nonce} = await json(await fetch(metadata.nonce_endpoint, {method: 'POST'}), 'nonce');
  const proof = await new SignJWT({nonce}).setProtectedHeader(header).setAudience(issuer).setIssuedAt()
    .sign(privateKey);
  const response = await fetch(metadata.credential_endpoint, {
    method: 'POST',
    headers: {'Authorization': `Bearer ${token.access_token}`, 'Content-Type': 'application/json'},
    body: JSON.stringify({credential_configuration_id: configuration, proofs: {jwt: [proof]}})
  });
  credentials[configuration] = (await json(response, configuration)).credentials[0].credential;
}
process.stdout.write(JSON.stringify({
  holder_did: holderDid, jwk: header.jwk || null, token_type: token.token_type,
  formats: Object.fromEntries(Object.entries(metadata.credential_configurations_supported)
    .map(([id, config]) => [id, config.format])),
  credentials
}));
