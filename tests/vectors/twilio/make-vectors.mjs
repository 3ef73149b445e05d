// Prints X-Twilio-Signature test vectors computed by the real `twilio` npm
// package (tests/node_modules/twilio), as JSON on stdout. The C unit test
// tests/unit/test_prov_twilio.c carries the same values; re-run this after
// upgrading twilio and compare:
//   node tests/vectors/twilio/make-vectors.mjs > tests/vectors/twilio/vectors.json
//
// Each vector: the token, the URL Twilio requested, the raw body exactly as
// it is posted (application/x-www-form-urlencoded, or JSON) and the
// signature getExpectedTwilioSignature() gives. For the port rule
// (providers.md §1.2 step 4), alt_signatures holds the signature over
// another spelling of the URL that validateRequest() accepts for a request
// at `url` (the script fails if it does not), and signature_valid_at says
// whether the main signature would also pass at that other URL.
import { createRequire } from 'node:module';
import twilio from 'twilio';

const require = createRequire(import.meta.url);
const version = require('twilio/package.json').version;

// Body pairs → what Express/qs would hand the SDK: repeated names become
// arrays (the SDK de-duplicates and sorts them).
function paramsOf(pairs) {
  const p = {};
  for (const [k, v] of pairs) {
    if (!(k in p)) p[k] = v;
    else if (Array.isArray(p[k])) p[k].push(v);
    else p[k] = [p[k], v];
  }
  return p;
}

function formVector(name, token, url, pairs, alternates = []) {
  const params = paramsOf(pairs);
  const body = new URLSearchParams(pairs).toString();
  const signature = twilio.getExpectedTwilioSignature(token, url, params);
  const validAt = {};
  for (const alt of alternates) {
    validAt[alt] = twilio.validateRequest(token, signature, alt, params);
  }
  // The signature the other spelling of the URL would carry.
  const altSignatures = {};
  for (const alt of alternates) {
    altSignatures[alt] = twilio.getExpectedTwilioSignature(token, alt, params);
    if (!twilio.validateRequest(token, altSignatures[alt], url, params)) {
      throw new Error(`${name}: ${alt} signature not accepted at ${url}`);
    }
  }
  if (!twilio.validateRequest(token, signature, url, params)) {
    throw new Error(`${name}: SDK rejects its own signature`);
  }
  return { name, token, url, content_type: 'application/x-www-form-urlencoded', body, signature, signature_valid_at: validAt, alt_signatures: altSignatures };
}

function jsonVector(name, token, baseUrl, obj) {
  const body = JSON.stringify(obj);
  const hash = twilio.getExpectedBodyHash(body);
  const url = `${baseUrl}${baseUrl.includes('?') ? '&' : '?'}bodySHA256=${hash}`;
  const signature = twilio.getExpectedTwilioSignature(token, url, null);
  if (!twilio.validateRequestWithBody(token, signature, url, body)) {
    throw new Error(`${name}: SDK rejects its own JSON signature`);
  }
  return { name, token, url, content_type: 'application/json', body, body_sha256: hash, signature };
}

const T = '12345678901234567890123456789012'; // providers.md §5.1 (made up)
const DEMO = 'demo-twilio-token';              // demo data only

const vectors = [
  // providers.md §5.1 #1: a status callback; also valid at :443.
  formVector('status-callback', T, 'https://crm.example.com/tw/status', [
    ['AccountSid', 'AC00000000000000000000000000000001'], ['ApiVersion', '2010-04-01'],
    ['CallDuration', '42'], ['CallSid', 'CA11111111111111111111111111111111'],
    ['CallStatus', 'completed'], ['CallbackSource', 'call-progress-events'],
    ['Called', '+15557654321'], ['Caller', '+15551234567'], ['Direction', 'inbound'],
    ['Duration', '1'], ['From', '+15551234567'], ['SequenceNumber', '3'],
    ['Timestamp', 'Tue, 04 Jun 2024 10:00:42 +0000'], ['To', '+15557654321'],
  ], ['https://crm.example.com:443/tw/status']),
  // §5.1 #2: the voice URL with a query string (kept verbatim, not sorted).
  formVector('voice-url-query', T, 'https://crm.example.com/tw/voice?tenant=7&route=inbound', [
    ['AccountSid', 'AC00000000000000000000000000000001'], ['ApiVersion', '2010-04-01'],
    ['CallSid', 'CA22222222222222222222222222222222'], ['CallStatus', 'ringing'],
    ['CallerName', 'John Doe'], ['Direction', 'inbound'], ['From', '+15551234567'],
    ['To', '+15557654321'],
  ]),
  // §5.1 #4: the Twilio docs' classic example (token 12345).
  formVector('docs-example', '12345', 'https://mycompany.com/myapp.php?foo=1&bar=2', [
    ['CallSid', 'CA1234567890ABCDE'], ['Caller', '+12349013030'], ['Digits', '1234'],
    ['From', '+12349013030'], ['To', '+18005551212'],
  ]),
  // Repeated names, out of order, one value twice: each distinct value once, sorted.
  formVector('duplicate-names', T, 'https://crm.example.com/tw/status', [
    ['StatusCallbackEvent', 'ringing'], ['CallSid', 'CA44444444444444444444444444444444'],
    ['StatusCallbackEvent', 'initiated'], ['StatusCallbackEvent', 'ringing'],
    ['AccountSid', 'AC00000000000000000000000000000001'], ['CallStatus', 'ringing'],
  ]),
  // Decoded values: spaces, '+', '&', '=', '%', UTF-8 and an empty value.
  formVector('decoded-values', T, 'https://crm.example.com/tw/voice', [
    ['CallSid', 'CA55555555555555555555555555555555'], ['CallerName', 'Олена & Co = 100% +1'],
    ['CallStatus', 'ringing'], ['Digits', ''], ['Direction', 'inbound'],
    ['From', '+380671234567'], ['To', '+14155550123'],
  ]),
  // A non-default port (what the e2e tests see); the SDK also accepts the
  // signature over the URL without the port.
  formVector('non-default-port', DEMO, 'http://127.0.0.1:18080/hook/twilio', [
    ['AccountSid', 'ACdemo00000000000000000000000000000'], ['CallSid', 'CA66666666666666666666666666666666'],
    ['CallStatus', 'ringing'], ['Direction', 'inbound'], ['From', '+380671234567'],
    ['To', '+14155550123'],
  ], ['http://127.0.0.1/hook/twilio']),
  // http without a port: valid at :80 too.
  formVector('http-default-port', DEMO, 'http://crm.example.com/hook/twilio?x=1', [
    ['CallSid', 'CA77777777777777777777777777777777'], ['CallStatus', 'completed'],
  ], ['http://crm.example.com:80/hook/twilio?x=1']),
];

// §5.1 #3: a JSON body signed through bodySHA256 (URL only).
const v3body = '{"CallSid":"CA33333333333333333333333333333333","CallStatus":"completed","Duration":"42"}';
const v3 = jsonVector('json-body', T, 'https://crm.example.com/tw/events', JSON.parse(v3body));
if (v3.body !== v3body) throw new Error('JSON body differs');
vectors.push(v3);

console.log(JSON.stringify({ twilio: version, vectors }, null, 2));
