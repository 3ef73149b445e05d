// Languages (issue 18): the browser's Accept-Language picks the language until the user chooses
// one on the profile page (a Language select, CSRF like every form); an unknown language falls
// back to English; the choice is stored on the user and wins over the browser; the error page
// and the messages beside fields speak it too.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '../lib/http.js';
import { sql } from '../lib/db.js';
import { createUser, uniq } from '../lib/settings.js';

let admin;
before(async () => {
  admin = new Client();
  await admin.login('admin', 'admin');
});

const lang = (res) => (res.text_.match(/<html lang="([a-z]+)"/) || [])[1];

test('the login page follows Accept-Language; q-values count; an unknown language is English', async () => {
  const c = new Client();
  const get = (al) => c.get('/login', { headers: al ? { 'accept-language': al } : {} });
  let r = await get('uk-UA,uk;q=0.9,en;q=0.8');
  assert.equal(lang(r), 'uk');
  assert.equal(r.headers.get('content-language'), 'uk');
  assert.match(r.text_, />Увійти</);
  assert.match(r.text_, /<title>Вхід · Callboard<\/title>/);
  r = await get('de-DE, pl;q=0.7, ru;q=0.5');
  assert.equal(lang(r), 'pl');
  assert.match(r.text_, /Zaloguj się/);
  r = await get('es');
  assert.match(r.text_, /Contraseña/);
  r = await get('ru;q=0, de, fr');
  assert.equal(lang(r), 'en');
  assert.match(r.text_, />Log in</);
  r = await get(null);
  assert.equal(lang(r), 'en');
  r = await get('"><script>x</script>');
  assert.equal(r.status, 200);
  assert.equal(lang(r), 'en');
});

test('the 404 page speaks the browser\'s language', async () => {
  const r = await new Client().get('/no-such-page-here', { headers: { 'accept-language': 'ru' } });
  assert.equal(r.status, 404);
  assert.match(r.text_, /По этому адресу страницы нет/);
});

test('a user picks a language on the profile page; it wins over the browser, "" gives it back', async () => {
  const login = uniq('lang');
  const [[roleId]] = await sql("SELECT id FROM roles WHERE name = 'manager'");
  const uid = await createUser(admin, { name: 'Lena Language', login, role_id: roleId, password: 'long enough pw' });
  const u = new Client();
  await u.login(login, 'long enough pw');
  const en = { 'accept-language': 'en-US' };
  let page = await u.get('/settings/users/me', { headers: en });
  assert.equal(lang(page), 'en');
  assert.match(page.text_, /<select name="language">/);
  assert.match(page.text_, /<option value="" selected>The browser's language<\/option>/);
  assert.match(page.text_, /<option value="uk" lang="uk">Українська<\/option>/);
  const save = async (form) => u.post('/settings/users/me', { headers: en,
    form: { csrf: await u.csrf(), time_zone: 'UTC', ...form } });
  // Without the CSRF token nothing changes.
  let r = await u.post('/settings/users/me', { form: { time_zone: 'UTC', language: 'uk' } });
  assert.equal(r.status, 403);
  let [[stored]] = await sql('SELECT language FROM users WHERE id = ?', [uid]);
  assert.equal(stored, null);
  r = await save({ language: 'uk' });
  assert.equal(r.status, 303, r.text_.slice(0, 300));
  [[stored]] = await sql('SELECT language FROM users WHERE id = ?', [uid]);
  assert.equal(stored, 'uk');
  page = await u.get('/settings/users/me?saved=1', { headers: en });
  assert.equal(lang(page), 'uk', 'the choice wins over Accept-Language');
  assert.match(page.text_, /Ваш профіль збережено\./);
  assert.match(page.text_, /<option value="uk" selected lang="uk">Українська<\/option>/);
  const calls = await u.get('/calls', { headers: en });
  assert.match(calls.text_, /Історія дзвінків/);
  assert.match(calls.text_, /<span data-k="Ringing">Дзвонить<\/span>/, 'the popup words, translated');
  // A language we do not have is refused next to the field, in the user's language.
  r = await save({ language: 'xx' });
  assert.equal(r.status, 400);
  assert.match(r.text_, /Виберіть мову зі списку\./);
  [[stored]] = await sql('SELECT language FROM users WHERE id = ?', [uid]);
  assert.equal(stored, 'uk');
  // Back to the browser's language.
  r = await save({ language: '' });
  assert.equal(r.status, 303);
  [[stored]] = await sql('SELECT language FROM users WHERE id = ?', [uid]);
  assert.equal(stored, null);
  page = await u.get('/calls', { headers: { 'accept-language': 'es-ES,es' } });
  assert.equal(lang(page), 'es');
  assert.match(page.text_, /Historial de llamadas/);
});

test('every language renders its own words on the history page, the same rows in each', async () => {
  const words = { en: 'Call history', uk: 'Історія дзвінків', ru: 'История звонков',
    es: 'Historial de llamadas', pl: 'Historia połączeń' };
  const ids = {};
  for (const [code, w] of Object.entries(words)) {
    const r = await admin.get('/calls', { headers: { 'accept-language': code } });
    assert.equal(r.status, 200);
    assert.equal(lang(r), code);
    assert.ok(r.text_.includes(w), `${code}: ${w}`);
    ids[code] = [...r.text_.matchAll(/data-id="(\d+)"/g)].map((m) => m[1]).join(',');
  }
  for (const code of Object.keys(words)) assert.equal(ids[code], ids.en, `${code}: same rows`);
});

// Issue 18: the programs' own messages (not only the templates' words) speak the viewer's language,
// one program group at a time.
const say = (lang) => ({ 'accept-language': lang });

test('login: a wrong password is refused in Spanish', async () => {
  const c = new Client();
  const page = await c.get('/login', { headers: say('es') });
  const csrf = page.text_.match(/name="csrf" value="([^"]+)"/)[1];
  const r = await c.post('/login', { headers: say('es'), form: { csrf, login: uniq('nobody'), password: 'wrong one' } });
  assert.equal(r.status, 401);
  assert.match(r.text_, /Usuario o contraseña incorrectos\./);
  const empty = await c.post('/login', { headers: say('es'), form: { csrf, login: '', password: '' } });
  assert.equal(empty.status, 400);
  assert.match(empty.text_, /Introduzca su usuario y contraseña\./);
});

test('settings: a 400 from the users form, the roles\' permissions and the index in Polish', async () => {
  const csrf = await admin.csrf();
  const r = await admin.post('/settings/users', { headers: say('pl'),
    form: { csrf, name: 'X', login: '', time_zone: 'UTC', active: '1', password: 'long enough pw' } });
  assert.equal(r.status, 400);
  assert.equal(lang(r), 'pl');
  assert.match(r.text_, /Wpisz login\./);
  assert.doesNotMatch(r.text_, /Enter a login\./);
  const roles = await admin.get('/settings/roles/new', { headers: say('pl') });
  assert.match(roles.text_, /Odsłuch nagrań/);
  assert.match(roles.text_, /Nowa rola/);
  const index = await admin.get('/settings', { headers: say('pl') });
  assert.match(index.text_, /Numery, których połączenia nie są zapisywane/);
  const sms = await admin.get('/settings/sms/new?kind=nope', { headers: say('uk') });
  assert.equal(sms.status, 400);
  assert.match(sms.text_, /Виберіть шлюз зі списку в Налаштування › SMS-шлюзи\./);
});

test('automation: a trigger without a name is refused in Spanish, the action list in Spanish', async () => {
  const csrf = await admin.csrf();
  const r = await admin.post('/settings/triggers/new', { headers: say('es'),
    form: { csrf, name: '', event: 'missed_call', a_type: 'email', a_email: 'x@example.com' } });
  assert.equal(r.status, 400);
  assert.match(r.text_, /Dé al disparador un nombre de 1 a 128 caracteres\./);
  assert.match(r.text_, />Webhook HTTP</);
  const page = await admin.get('/settings/automation', { headers: say('es') });
  assert.match(page.text_, /Oportunidad automática para una llamada perdida/);
});

// The trigger form's options the program fills (direction, caller, action, whom to notify), a
// trigger's runs (action, result, the call) and the list's Enable/Disable buttons, in uk and pl.
test('automation: the trigger form, its runs and the list in Ukrainian and Polish', async () => {
  const name = uniq('Lang trigger ');
  await sql(`INSERT INTO triggers (name, event, enabled, conditions, actions)
    VALUES (?, 'missed_call', 0, '{"direction": "in", "customer": "unknown"}', '[{"type": "notify"}]')`, [name]);
  const [[id]] = await sql('SELECT id FROM triggers WHERE name = ?', [name]);
  const [[call]] = await sql('SELECT MAX(id) FROM calls');
  await sql("INSERT INTO trigger_runs (trigger_id, call_id, action, result) VALUES (?, ?, 'notify', 'ok')", [id, call]);
  const want = {
    uk: ['>вхідні<', '>будь-який абонент<', '>невідомий абонент<', '>Сповістити<', '>HTTP-вебхук<',
      '>Сповістити</span>', '>виконано</span>', `>дзвінок ${call}`, '>Увімкнути<'],
    pl: ['>przychodzące<', '>dowolny rozmówca<', '>Powiadom<', '>Powiadom</span>', '>wykonano</span>',
      '>Włącz<'],
  };
  for (const [l, words] of Object.entries(want)) {
    const form = await admin.get(`/settings/triggers/${id}`, { headers: say(l) });
    assert.equal(form.status, 200);
    const list = await admin.get('/settings/triggers', { headers: say(l) });
    const text = form.text_ + list.text_;
    for (const w of words) assert.ok(text.includes(w), `${l}: ${w}`);
    for (const en of ['>incoming<', '>any caller<', '>an unknown caller<', '>Notify<', '>ok</span>', `>call ${call}`,
      '>Enable<', '>Disable<']) assert.ok(!text.includes(en), `${l}: no English ${en}`);
  }
  await sql('DELETE FROM triggers WHERE id = ?', [id]);
});

test('CRM: a broken call link is refused in Russian', async () => {
  const r = await admin.get('/customers/new?call=abc', { headers: say('ru') });
  assert.equal(r.status, 400);
  assert.match(r.text_, /Звонок в ссылке — не идентификатор звонка\./);
});

test('dial: a user without an extension is told so in Ukrainian', async () => {
  const login = uniq('noext');
  const [[roleId]] = await sql("SELECT id FROM roles WHERE name = 'manager'");
  await createUser(admin, { name: 'No Extension', login, role_id: roleId, password: 'long enough pw' });
  const u = new Client();
  await u.login(login, 'long enough pw');
  // JSON: the message is the program's own (the page also has the template's notice).
  const r = await u.post('/dial', { headers: { ...say('uk'), accept: 'application/json' },
    form: { csrf: await u.csrf(), number: '+380671234567' } });
  assert.equal(r.status, 409);
  assert.match(JSON.parse(r.text_).error.message, /^У вашого користувача немає внутрішнього номера/);
});
