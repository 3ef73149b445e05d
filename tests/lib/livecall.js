// A live call for the relink tests (issue 19 §6): a signed generic-format
// call that rang and was answered on an extension and has not ended, so
// its user has it live (the popup's "active calls").
import { postGeneric, callsOf, uid } from './generic.js';

export async function liveCall(from, ext = '101') {
  const id = uid('live');
  const t0 = Math.floor(Date.now() / 1000);
  for (const e of [
    { event: 'call.start', call_id: id, direction: 'in', from, start: t0 },
    { event: 'call.answer', call_id: id, uniqueid: `${id}.1`, ext, answer: t0 },
  ]) {
    const r = await postGeneric(e);
    if (r.status !== 200) throw new Error(`hook ${r.status}: ${r.text_}`);
  }
  const [c] = await callsOf('generic', id);
  return { id: Number(c.id), externalId: id, t0, from, ext };
}

export async function endCall(c) {
  const r = await postGeneric({ event: 'call.end', call_id: c.externalId, direction: 'in', from: c.from,
    start: c.t0, answer: c.t0, end: Math.floor(Date.now() / 1000), status: 'answered', ext: c.ext });
  if (r.status !== 200) throw new Error(`hook ${r.status}: ${r.text_}`);
}
