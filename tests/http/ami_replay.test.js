// AMI sessions recorded on real Asterisk systems (../shared/real-payloads/,
// never committed: see its README), replayed end to end (issue 15 §2): a fake
// AMI plays each recording to the real contrib/asterisk/callboard-ami-bridge,
// which posts signed events to the real hook through nginx; each call must
// come out as a CRM user expects it. The expected outcomes are the ones the
// recordings' own repositories state (VoIPGRID/cacofonisk tests/test_*.py:
// who dialled whom, who answered, who was transferred to; sweeney/asterisk-mqtt
// fixture names), said in CRM terms: direction, the customer's number, who
// answered, who talked last, missed or not, talk time. The recordings carry
// no Timestamp headers, so their times are the replay's clock (a few ms
// apart): talk time is checked exactly in ami_sequences.test.js instead.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { callsOf } from '../lib/generic.js';
import { readRecording, replay, sharedPayloads, withRunIds } from '../lib/ami.js';

const DIR = sharedPayloads();
if (DIR === null) {
  console.log('# ami_replay: skipped: no real-payloads/ami folder ($CB_SHARED_DIR, ../shared beside the checkout, /work/shared)');
}

// VoIPGRID's phones are SIP/1500100NN (internal numbers 2NN); its trunk
// calls arrive in the context voipgrid_in.
const CACO = { extRegex: '1500100\\d\\d|\\d{2,5}', trunkContexts: ['voipgrid_in'] };

async function theCall(externalId) {
  const list = await callsOf('asterisk', externalId);
  assert.equal(list.length, 1, `one call for ${externalId}: ${JSON.stringify(list)}`);
  return list[0];
}

const legs = (c) => c.legs.map((l) => `${l.extension}:${l.answered_at !== null ? 'answered' : 'rang'}`).sort();
const noNumber = (c) => c.client_number === null || !/\d/.test(c.client_number);

// Plays one recording; returns (linkedid) => the stored call.
async function play(file, opts) {
  const run = randomBytes(3).toString('hex');
  const { events, refused, log } = await replay(withRunIds(readRecording(path.join(DIR, file)), run), opts);
  assert.deepEqual(refused, [], `the hook refused events: ${refused.join('; ')}\n${log.slice(-1500)}`);
  assert.ok(events.length > 0, 'the bridge posted events');
  return (linkedid) => theCall(`${linkedid}-${run}`);
}

function answered(c, { from, last, legList, our }) {
  assert.equal(c.direction, 'in');
  assert.equal(c.state, 'ended');
  assert.equal(c.result, 'answered');
  assert.equal(c.client_number, from);
  if (our) assert.equal(c.our_number, our);
  assert.equal(c.extension, last, 'who talked last');
  assert.deepEqual(legs(c), legList);
  assert.ok(c.talk_seconds >= 0 && c.talk_seconds < 60);
  assert.notEqual(c.answered_at, null);
}

const opt = { skip: DIR === null ? 'no real-payloads folder' : false };

test('cacofonisk queue_simple: queue over Local/ channels, 150010002 answers, 150010003 busy', opt, async () => {
  const call = await play('cacofonisk/queue_simple.json', CACO);
  answered(await call('195176c06ab8-1529939196.518'), { from: '+31150010001', our: '+31150010004',
    last: '150010002', legList: ['150010002:answered', '150010003:rang'] });
});

test('cacofonisk queue_group: a queue ringing a group, 150010002 answers', opt, async () => {
  const call = await play('cacofonisk/queue_group.json', CACO);
  answered(await call('195176c06ab8-1529938920.367'), { from: '+31150010001',
    last: '150010002', legList: ['150010002:answered', '150010003:rang'] });
});

test('cacofonisk queue_a_cancel: the caller leaves the queue while 150010002 rings: missed', opt, async () => {
  const call = await play('cacofonisk/queue_a_cancel.json', CACO);
  const c = await call('40a7a1f2a669-1585318545.326');
  assert.equal(c.direction, 'in');
  assert.equal(c.state, 'ended');
  assert.equal(c.result, 'missed');
  assert.equal(c.client_number, '+31150010001');
  assert.equal(c.answered_at, null);
  assert.equal(c.talk_seconds, 0);
  assert.deepEqual(legs(c), ['150010002:rang']);
});

test('cacofonisk a_created_no_answer: the caller hangs up before any phone rings: missed', opt, async () => {
  const call = await play('cacofonisk/a_created_no_answer.json', CACO);
  const c = await call('e25ad522d444-1553503669.94');
  assert.equal(c.direction, 'in');
  assert.equal(c.result, 'missed');
  assert.equal(c.client_number, '+31150010001');
  assert.equal(c.talk_seconds, 0);
  assert.deepEqual(c.legs, []);
});

test('cacofonisk call_forwarding: 150010001 forwards to 202 (150010002), who answers and talks', opt, async () => {
  const call = await play('cacofonisk/call_forwarding.json', CACO);
  answered(await call('b6093874285e-1530191379.305'), { from: '+31260010001', our: '+31150010001',
    last: '150010002', legList: ['150010001:rang', '150010002:answered'] });
});

test('cacofonisk queue_blind_xfer: 150010001 answers from the queue, blind-transfers to 150010002', opt, async () => {
  const call = await play('cacofonisk/queue_blind_xfer.json', CACO);
  answered(await call('f29ea68048f6-1530023464.2539'), { from: '+31260010001',
    last: '150010002', legList: ['150010001:answered', '150010002:answered'] });
});

test('cacofonisk xfer_blind_group: 150010001 blind-transfers to a group, 150010003 answers', opt, async () => {
  const call = await play('cacofonisk/xfer_blind_group.json', CACO);
  answered(await call('f29ea68048f6-1530014341.278'), { from: '+31260010001',
    last: '150010003', legList: ['150010001:answered', '150010002:rang', '150010003:answered'] });
});

test('cacofonisk queue_attn_xfer: 150010001 consults 150010002, then transfers: 150010002 talked last', opt, async () => {
  const call = await play('cacofonisk/queue_attn_xfer.json', CACO);
  answered(await call('f29ea68048f6-1530022819.2433'), { from: '+31260010001',
    last: '150010002', legList: ['150010001:answered', '150010002:answered'] });
  // The consultation is a call of its own between two extensions: no
  // customer number, and the customer call's legs are not in it.
  const consult = await call('f29ea68048f6-1530022836.2474');
  assert.equal(consult.direction, 'internal');
  assert.equal(consult.result, 'answered');
  assert.ok(noNumber(consult), `internal call has no customer number: ${consult.client_number}`);
  assert.equal(consult.extension, '150010001', 'the consultation is the caller\'s');
  assert.deepEqual(legs(consult), ['150010001:answered', '150010002:answered']);
  assert.ok(consult.legs.every((l) => l.state === 'ended'), JSON.stringify(consult.legs));
});

test('cacofonisk xfer_abbcac_anon: a withheld caller, attended transfer 150010001 -> 150010003', opt, async () => {
  const call = await play('cacofonisk/xfer_abbcac_anon.json', CACO);
  const c = await call('07b796be1962-1530001217.664');
  assert.equal(c.direction, 'in');
  assert.equal(c.result, 'answered');
  assert.ok(noNumber(c), `withheld caller stored as a number: ${c.client_number}`);
  assert.equal(c.customer, null);
  assert.equal(c.extension, '150010003', 'who talked last');
  assert.deepEqual(legs(c), ['150010001:answered', '150010003:answered']);
  const consult = await call('07b796be1962-1530001225.708');
  assert.equal(consult.direction, 'internal');
  assert.ok(noNumber(consult));
  assert.deepEqual(legs(consult), ['150010001:answered', '150010003:answered']);
  assert.ok(consult.legs.every((l) => l.state === 'ended'), JSON.stringify(consult.legs));
});

// An internal call belongs to the extension that placed it (as an outgoing
// call does); who answered is its leg.
test('asterisk-mqtt answered-internal: 21 calls 1986, who answers; no customer number', opt, async () => {
  const call = await play('asterisk-mqtt/answered-internal.raw');
  const c = await call('1770888534.43');
  assert.equal(c.direction, 'internal');
  assert.equal(c.result, 'answered');
  assert.ok(noNumber(c), `internal call stored a customer number: ${c.client_number}`);
  assert.equal(c.extension, '21');
  assert.deepEqual(legs(c), ['1986:answered', '21:answered']);
});

test('asterisk-mqtt unanswered-cancel: 1986 calls 21 and hangs up while it rings', opt, async () => {
  const call = await play('asterisk-mqtt/unanswered-cancel.raw');
  const c = await call('1770888559.46');
  assert.equal(c.direction, 'internal');
  assert.equal(c.result, 'no_answer');
  assert.ok(noNumber(c), `internal call stored a customer number: ${c.client_number}`);
  assert.equal(c.answered_at, null);
  assert.deepEqual(legs(c), ['1986:rang', '21:rang']);
});

test('asterisk-mqtt unanswered-huntgroup: six phones of hunt group 666 ring, nobody answers', opt, async () => {
  const call = await play('asterisk-mqtt/unanswered-huntgroup.raw');
  const c = await call('1770888635.49');
  assert.equal(c.direction, 'internal');
  assert.equal(c.result, 'no_answer');
  assert.ok(noNumber(c), `internal call stored a customer number: ${c.client_number}`);
  assert.equal(c.answered_at, null);
  assert.equal(c.talk_seconds, 0);
  assert.deepEqual(legs(c), ['11:rang', '12:rang', '1986:rang', '21:rang', '41:rang', '42:rang', '51:rang']);
});
