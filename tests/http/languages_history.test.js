// The last English words outside /analytics (issue 18), for users whose language is Ukrainian or
// Polish (users.language, the profile's choice): the history's filter chips as whole sentences
// ("Номер не містить 4567", the "not" and the mode in one sentence a translator wrote, a
// manager's name and a date as the language writes it filled in after translating); the pager,
// notices and refusals of the history; "Number withheld" in the row and the CSV; the card's
// confirmations and its "Unknown caller"; the tasks' kinds and messages; the error page's title
// and the sentence a handler's own silence falls back to; the forms' "Enter the …" messages.
// Each failed before: those words were English in every language.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Client } from '../lib/http.js';
import { sql } from '../lib/db.js';
import { createUser, uniq } from '../lib/settings.js';

const viewers = {};
const viewerIds = {};
let manager;     // [id, name] of the demo's manager
let callId, withheldId;
const tag = uniq('l18h');

const decode = (s) => s.replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<')
  .replace(/&gt;/g, '>').replace(/&amp;/g, '&');
const chips = (html) => Object.fromEntries([...html.matchAll(
  /<li data-key="([a-z_]+)"><span>([^<]*)<\/span>/g)].map((m) => [m[1], decode(m[2])]));

before(async () => {
  const admin = new Client();
  await admin.login('admin', 'admin');
  const [[roleId]] = await sql("SELECT id FROM roles WHERE name = 'admin'");
  for (const lang of ['uk', 'pl', 'en']) {
    const login = uniq(`l18${lang}`);
    const id = await createUser(admin, { name: `Viewer ${lang}`, login, role_id: roleId,
      password: 'long enough pw' });
    await sql('UPDATE users SET language = ? WHERE id = ?', [lang, id]);
    viewerIds[lang] = id;
    viewers[lang] = new Client();
    await viewers[lang].login(login, 'long enough pw');
  }
  [manager] = await sql("SELECT id, name FROM users WHERE login = 'manager'");
  const [[integ]] = await sql("SELECT id FROM integrations WHERE slug = 'asterisk'");
  const insert = (ext, number, withheld) => sql(`INSERT INTO calls (integration_id, external_id,
      direction, state, result, client_number, client_digits_rev, client_withheld, our_number,
      started_at, ended_at, talk_seconds, wait_seconds)
    VALUES (?, ?, 'in', 'ended', 'missed', ?, REVERSE(REPLACE(?, '+', '')), ?, '+380443900100',
      UTC_TIMESTAMP(3) - INTERVAL 2 HOUR, UTC_TIMESTAMP(3) - INTERVAL 2 HOUR, 0, 9)`,
  [integ, ext, number, number, withheld]);
  await insert(`${tag}-a`, `+38050${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`, 0);
  await insert(`${tag}-w`, '', 1);
  [[callId]] = await sql('SELECT id FROM calls WHERE external_id = ?', [`${tag}-a`]);
  [[withheldId]] = await sql('SELECT id FROM calls WHERE external_id = ?', [`${tag}-w`]);
});

const CHIPS = {
  uk: { q: 'Номер не містить 4567', manager: (n) => `Менеджер: ${n}`, from: 'З 03.11.2026',
    to: 'По 30.11.2026 14:30', our_number: 'Наш номер починається з +38044',
    talk_min: 'Розмова щонайменше 1:30', sort: 'Спочатку старі' },
  pl: { q: 'Numer nie zawiera 4567', manager: (n) => `Menedżer: ${n}`, from: 'Od 3.11.2026',
    to: 'Do 30.11.2026 14:30', our_number: 'Nasz numer zaczyna się od +38044',
    talk_min: 'Rozmowa co najmniej 1:30', sort: 'Najstarsze najpierw' },
  en: { q: 'Number does not contain 4567', manager: (n) => `Manager: ${n}`, from: 'From 3 Nov 2026',
    to: 'To 30 Nov 2026 14:30', our_number: 'Our number begins with +38044',
    talk_min: 'Talk at least 1:30', sort: 'Oldest first' },
};

for (const [lang, want] of Object.entries(CHIPS)) {
  test(`${lang}: the filter chips are whole sentences of the user's language, values filled in`, async () => {
    const q = `/calls?q=4567&q_mode=contains&q_not=1&manager=${manager[0]}&from=2026-11-03`
      + '&to=2026-11-30%2014:30&our_number=%2B38044&our_number_mode=begins&talk_min=1:30&sort=time_asc';
    const page = await viewers[lang].get(q);
    assert.equal(page.status, 200, page.text_.slice(0, 300));
    const got = chips(page.text_);
    // The manager as the select names them (with the extension, when they have one).
    const option = page.text_.match(new RegExp(`<option value="${manager[0]}" selected>([^<]*)</option>`));
    assert.ok(option, 'the manager is selected in the form');
    assert.ok(decode(option[1]).startsWith(manager[1]));
    assert.deepEqual(got, { q: want.q, manager: want.manager(decode(option[1])), from: want.from, to: want.to,
      our_number: want.our_number, talk_min: want.talk_min, sort: want.sort });
  });
}

test('uk, pl: the history\'s pager, notices, refusals and "Number withheld" (page and CSV)', async () => {
  const WORDS = {
    uk: { next: 'Старіші дзвінки', unknown: 'Невідомий фільтр «zzz» пропущено.',
      talk: 'Тривалість розмови — це секунди (90)', withheld: 'Номер приховано' },
    pl: { next: 'Starsze połączenia', unknown: 'Nieznany filtr „zzz” został pominięty.',
      talk: 'Czas rozmowy to sekundy (90)', withheld: 'Numer zastrzeżony' },
  };
  for (const [lang, w] of Object.entries(WORDS)) {
    const v = viewers[lang];
    let r = await v.get('/calls?zzz=1');
    assert.equal(r.status, 200);
    assert.match(r.text_, new RegExp(`<a [^>]*rel="next"[^>]*><span>${w.next}</span>`), `${lang}: pager`);
    assert.ok(decode(r.text_).includes(w.unknown), `${lang}: the unknown filter's notice`);
    r = await v.get('/calls?talk_min=abc');
    assert.equal(r.status, 400);
    assert.ok(decode(r.text_).includes(w.talk), `${lang}: ${r.text_.slice(0, 2000)}`);
    r = await v.get(`/calls?external_id=${tag}&external_id_mode=begins`);
    assert.match(r.text_, new RegExp(`<span class="withheld">${w.withheld}</span>`), `${lang}: the row`);
    r = await v.get(`/calls.csv?external_id=${tag}-w`);
    assert.equal(r.status, 200);
    assert.ok(r.text_.includes(w.withheld), `${lang} CSV: ${r.text_}`);
    r = await v.get(`/calls/${withheldId}`);
    assert.match(r.text_, new RegExp(`<span class="withheld">${w.withheld}</span>`), `${lang}: the card`);
  }
});

test('uk, pl: the card\'s confirmation and refusals, the 404 page\'s title', async () => {
  const WORDS = {
    uk: { saved: 'Нотатку збережено.', title: 'Не знайдено', gone: 'Такого дзвінка немає.',
      empty: 'Спершу напишіть нотатку.' },
    pl: { saved: 'Notatka została zapisana.', title: 'Nie znaleziono', gone: 'Nie ma takiego połączenia.',
      empty: 'Najpierw napisz notatkę.' },
  };
  for (const [lang, w] of Object.entries(WORDS)) {
    const v = viewers[lang];
    let r = await v.get(`/calls/${callId}?note=saved`);
    assert.equal(r.status, 200);
    assert.ok(decode(r.text_).includes(w.saved), `${lang}: note saved`);
    r = await v.post(`/calls/${callId}/notes`, { form: { csrf: await v.csrf(), note: '   ' } });
    assert.equal(r.status, 400);
    assert.ok(decode(r.text_).includes(w.empty), `${lang}: empty note`);
    r = await v.get('/calls/999999999');
    assert.equal(r.status, 404);
    assert.match(r.text_, new RegExp(`<span>404</span> <span>${w.title}</span>`), `${lang}: title`);
    assert.ok(decode(r.text_).includes(w.gone), `${lang}: no such call`);
  }
});

test('uk, pl: the tasks\' kinds and messages', async () => {
  const title = `Ring about ${randomBytes(4).toString('hex')}`;
  await sql("INSERT INTO tasks (kind, title, due_at) VALUES ('call_back', ?, UTC_TIMESTAMP(3))", [title]);
  const [[tid]] = await sql('SELECT MAX(id) FROM tasks WHERE title = ?', [title]);
  const WORDS = {
    uk: { kind: 'Передзвонити', done: `Завдання ${tid} виконано.`, view: 'Виберіть view=open' },
    pl: { kind: 'Oddzwoń', done: `Zadanie ${tid} zostało wykonane.`, view: 'Wybierz view=open' },
  };
  for (const [lang, w] of Object.entries(WORDS)) {
    const v = viewers[lang];
    await sql('INSERT INTO task_assignees (task_id, user_id) VALUES (?, ?)', [tid, viewerIds[lang]]);
    let r = await v.get('/tasks');
    assert.equal(r.status, 200);
    assert.match(r.text_, new RegExp(`<span class="kind">${w.kind}</span>`), `${lang}: the kind`);
    r = await v.get(`/tasks?completed=${tid}`);
    assert.ok(decode(r.text_).includes(w.done), `${lang}: done`);
    r = await v.get('/tasks?view=later');
    assert.equal(r.status, 400);
    assert.ok(decode(r.text_).includes(w.view), `${lang}: ${r.text_.slice(0, 1500)}`);
  }
});

test('uk, pl: a form\'s "Enter the …" is a sentence of the language', async () => {
  const WORDS = { uk: "Введіть ім'я.", pl: 'Wpisz nazwę.', en: 'Enter the name.' };
  for (const [lang, want] of Object.entries(WORDS)) {
    const v = viewers[lang];
    const r = await v.post('/customers', { form: { csrf: await v.csrf(), name: '', phone: '' } });
    assert.equal(r.status, 400, r.text_.slice(0, 300));
    assert.ok(decode(r.text_).includes(want), `${lang}: ${want}`);
  }
});

test('uk, pl: codes shown as words — a leg\'s type, a task\'s badge, the listening log', async () => {
  const [[integ]] = await sql("SELECT id FROM integrations WHERE slug = 'asterisk'");
  await sql(`INSERT INTO call_legs (call_id, integration_id, leg_type, extension, state, result, started_at)
    VALUES (?, ?, 'queue', '101', 'ended', 'missed', UTC_TIMESTAMP(3) - INTERVAL 2 HOUR)`, [callId, integ]);
  const title = `Badge ${randomBytes(4).toString('hex')}`;
  await sql("INSERT INTO tasks (kind, title, due_at) VALUES ('call_back', ?, UTC_TIMESTAMP(3) + INTERVAL 1 MINUTE)", [title]);
  const [[tid]] = await sql('SELECT MAX(id) FROM tasks WHERE title = ?', [title]);
  await sql("INSERT INTO listening_log (user_id, call_id, action, context, created_at) VALUES (?, ?, 'download', 'customer', UTC_TIMESTAMP(3))",
    [viewerIds.uk, callId]);
  const WORDS = {
    uk: { leg: 'черга', badge: 'на сьогодні', action: 'завантажено', context: 'клієнт' },
    pl: { leg: 'kolejka', badge: 'na dziś', action: 'pobrano', context: 'klient' },
    en: { leg: 'queue', badge: 'due today', action: 'downloaded', context: 'customer' },
  };
  for (const [lang, w] of Object.entries(WORDS)) {
    const v = viewers[lang];
    let r = await v.get(`/calls/${callId}`);
    assert.match(r.text_, new RegExp(`<td>${w.leg}</td>`), `${lang}: the leg's type`);
    await sql('INSERT INTO task_assignees (task_id, user_id) VALUES (?, ?)', [tid, viewerIds[lang]]);
    r = await v.get('/tasks');
    assert.match(r.text_, new RegExp(`data-id="${tid}"[\\s\\S]*?<span class="badge" data-status="due">${w.badge}</span>`),
      `${lang}: the badge`);
    r = await v.get(`/settings/listening-log?user=${viewerIds.uk}&call=${callId}`);
    assert.equal(r.status, 200);
    assert.match(r.text_, new RegExp(`<td class="action">${w.action}</td>\\s*<td>${w.context}</td>`), `${lang}: the log`);
  }
});

test('uk, pl: the admin pages\' titles and scopes', async () => {
  const [[integ, name]] = await sql("SELECT id, name FROM integrations WHERE slug = 'asterisk'");
  const WORDS = {
    uk: { status: 'стан', settings: 'Інтеграції', all: 'calls (усі)' },
    pl: { status: 'stan', settings: 'Integracje', all: 'calls (wszystkie)' },
  };
  for (const [lang, w] of Object.entries(WORDS)) {
    const v = viewers[lang];
    let r = await v.get(`/settings/integrations/${integ}/status`);
    assert.equal(r.status, 200);
    assert.ok(decode(r.text_).includes(`<title>${name} · ${w.status}</title>`), `${lang}: ${r.text_.slice(0, 400)}`);
    r = await v.get(`/settings/integrations/${integ}`);
    assert.ok(decode(r.text_).includes(`<title>${name} · ${w.settings}</title>`), `${lang}: ${r.text_.slice(0, 400)}`);
    r = await v.get('/settings/roles');
    assert.ok(r.text_.includes(w.all), `${lang}: the roles' scopes`);
  }
});
