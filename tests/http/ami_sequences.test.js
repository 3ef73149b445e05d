// Our own real-shaped AMI sequences (tests/vectors/asterisk/*.ami, with
// Timestamp headers as manager.conf timestampevents=yes gives them) for the
// situations of the recorded sessions (issue 15 §2): queue over Local/
// channels, ring group, blind and attended transfer, forwarding, a hunt group
// nobody answers, withheld callers, an internal call. Each one:
//  - in order: played by a fake AMI to the real bridge process, which posts
//    to the real hook through nginx; the stored calls are checked against
//    what a CRM user expects (who answered, who talked last, missed or not,
//    talk and wait time, direction, the customer's number);
//  - reversed: the bridge's events for it (--selftest) posted last first;
//  - duplicated: every event posted twice, then the whole sequence again;
// and the reversed and duplicated deliveries must give the same calls.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { callsOf, postGeneric } from '../lib/generic.js';
import { VECTORS, readRecording, replay, selftest, withRunIds } from '../lib/ami.js';

const iso = (s) => new Date(s * 1000).toISOString();

async function theCall(externalId) {
  const list = await callsOf('asterisk', externalId);
  assert.equal(list.length, 1, `one call for ${externalId}: ${JSON.stringify(list)}`);
  return list[0];
}

const essence = (c) => ({
  direction: c.direction, state: c.state, result: c.result,
  client_number: c.client_number, extension: c.extension,
  manager: c.manager && c.manager.login, customer: c.customer && c.customer.id,
  talk_seconds: c.talk_seconds, wait_seconds: c.wait_seconds,
  started_at: c.started_at, answered_at: c.answered_at, ended_at: c.ended_at,
  legs: c.legs.map((l) => `${l.extension}:${l.answered_at !== null ? 'answered' : 'rang'}`).sort(),
});

// What each vector's calls must look like (by the vector's Linkedid).
const EXPECT = {
  'queue_local.ami': { '1717500000.100': {
    direction: 'in', state: 'ended', result: 'answered', client_number: '+380991110001',
    extension: '103', manager: 'olena', customer: null, talk_seconds: 42, wait_seconds: 8,
    started_at: iso(1717500000), answered_at: iso(1717500008), ended_at: iso(1717500050.03),
    legs: ['101:rang', '103:answered'] } },
  'ring_group.ami': { '1717501000.200': {
    direction: 'in', state: 'ended', result: 'answered', client_number: '+380991110002',
    extension: '102', manager: 'intern', customer: null, talk_seconds: 30, wait_seconds: 5,
    started_at: iso(1717501000), answered_at: iso(1717501005), ended_at: iso(1717501035.01),
    legs: ['101:rang', '102:answered'] } },
  'blind_transfer.ami': { '1717502000.300': {
    direction: 'in', state: 'ended', result: 'answered', client_number: '+380991110003',
    extension: '104', manager: 'carlos', customer: null, talk_seconds: 82, wait_seconds: 4,
    started_at: iso(1717502000), answered_at: iso(1717502004), ended_at: iso(1717502086.01),
    legs: ['101:answered', '104:answered'] } },
  'attended_transfer.ami': {
    '1717503000.400': {
      direction: 'in', state: 'ended', result: 'answered', client_number: '+380991110004',
      extension: '103', manager: 'olena', customer: null, talk_seconds: 96, wait_seconds: 4,
      started_at: iso(1717503000), answered_at: iso(1717503004), ended_at: iso(1717503100.01),
      legs: ['101:answered', '103:answered'] },
    // The consultation: 101 called 103; no customer, none of the
    // customer call's legs.
    '1717503020.402': {
      direction: 'internal', state: 'ended', result: 'answered', client_number: '',
      extension: '101', manager: 'manager', customer: null, talk_seconds: 15, wait_seconds: 5,
      started_at: iso(1717503020), answered_at: iso(1717503025), ended_at: iso(1717503040.02),
      legs: ['101:answered', '103:answered'] } },
  'forwarding.ami': { '1717504000.500': {
    direction: 'in', state: 'ended', result: 'answered', client_number: '+380991110005',
    extension: '104', manager: 'carlos', customer: null, talk_seconds: 60, wait_seconds: 20,
    started_at: iso(1717504000), answered_at: iso(1717504020), ended_at: iso(1717504080.02),
    legs: ['102:rang', '104:answered'] } },
  'huntgroup_noanswer.ami': { '1717505000.600': {
    direction: 'in', state: 'ended', result: 'missed', client_number: '+380991110006',
    // Three phones rang, nobody answered: the call is none of theirs, in
    // any delivery order.
    extension: null, manager: null, customer: null, talk_seconds: 0, wait_seconds: 33,
    started_at: iso(1717505000), answered_at: null, ended_at: iso(1717505033),
    legs: ['101:rang', '102:rang', '103:rang'] } },
  'anonymous.ami': {
    '1717506000.700': {
      direction: 'in', state: 'ended', result: 'answered', extension: '101', manager: 'manager',
      customer: null, talk_seconds: 20, wait_seconds: 3, started_at: iso(1717506000),
      answered_at: iso(1717506003), ended_at: iso(1717506023.01), legs: ['101:answered'] },
    // A known customer's number the caller chose to hide: withheld, so
    // not linked to that customer.
    '1717506000.710': {
      direction: 'in', state: 'ended', result: 'answered', extension: '103', manager: 'olena',
      customer: null, talk_seconds: 10, wait_seconds: 2, started_at: iso(1717506030),
      answered_at: iso(1717506032), ended_at: iso(1717506042.01), legs: ['103:answered'] } },
  'internal.ami': { '1717507000.800': {
    direction: 'internal', state: 'ended', result: 'answered', client_number: '',
    extension: '101', manager: 'manager', customer: null, talk_seconds: 30, wait_seconds: 3,
    started_at: iso(1717507000), answered_at: iso(1717507003), ended_at: iso(1717507033.01),
    legs: ['101:answered', '103:answered'] } },
};

const WITHHELD = new Set(['anonymous.ami']);

async function post(events) {
  for (const e of events) {
    const res = await postGeneric(e, { slug: 'asterisk' });
    assert.equal(res.status, 200, `${e.event} ${e.uniqueid}: ${res.status} ${res.text_}`);
  }
}

for (const [file, calls] of Object.entries(EXPECT)) {
  test(`${file}: in order through the bridge, reversed and duplicated`, async () => {
    const blocks = readRecording(path.join(VECTORS, file));
    const runs = { order: randomBytes(3).toString('hex'), rev: randomBytes(3).toString('hex'),
      dup: randomBytes(3).toString('hex') };

    const { events, refused, log } = await replay(withRunIds(blocks, runs.order));
    assert.deepEqual(refused, [], log.slice(-1500));
    const ids = new Set(events.map((e) => e.call_id.replace(`-${runs.order}`, '')));
    assert.deepEqual([...ids].sort(), Object.keys(calls).sort(), 'the calls the bridge reported');

    const rev = await selftest(withRunIds(blocks, runs.rev));
    await post([...rev].reverse());
    const dup = await selftest(withRunIds(blocks, runs.dup));
    await post(dup.flatMap((e) => [e, e]));
    await post(dup);

    for (const [linkedid, want] of Object.entries(calls)) {
      const inOrder = await theCall(`${linkedid}-${runs.order}`);
      const got = essence(inOrder);
      if (WITHHELD.has(file)) {
        assert.ok(got.client_number === null || !/\d/.test(got.client_number),
          `withheld caller stored as a number: ${got.client_number}`);
        delete got.client_number;
      }
      assert.deepEqual(got, want, `${linkedid} in order`);
      assert.ok(inOrder.legs.every((l) => l.state === 'ended'), `every leg ended: ${JSON.stringify(inOrder.legs)}`);
      const reversed = await theCall(`${linkedid}-${runs.rev}`);
      assert.deepEqual(essence(reversed), essence(inOrder), `${linkedid} reversed`);
      const duplicated = await theCall(`${linkedid}-${runs.dup}`);
      assert.deepEqual(essence(duplicated), essence(inOrder), `${linkedid} duplicated`);
      assert.equal(duplicated.events, inOrder.events, `${linkedid}: duplicates stored once`);
      assert.equal(reversed.events, inOrder.events);
    }
  });
}
