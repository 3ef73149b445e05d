// Helpers for the settings tests: create roles and users through the
// settings forms, as an admin would (no SQL), and read ids back.
import assert from 'node:assert/strict';
import { sql } from './db.js';

export const PERMS = ['calls', 'orders.calls', 'customers.calls', 'recordings.listen',
  'recordings.download', 'calls.dial', 'settings'];

export function uniq(prefix) {
  return `${prefix}${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
}

// scopes: { calls: 'own', 'recordings.listen': 'all', ... }; others none.
export async function createRole(admin, name, scopes) {
  const csrf = await admin.csrf();
  const form = { csrf, name, description: 'test role' };
  for (const p of PERMS) form[`perm_${p}`] = scopes[p] || 'none';
  const r = await admin.post('/settings/roles', { form });
  assert.equal(r.status, 303, `create role: ${r.status} ${r.text_.slice(0, 500)}`);
  const [[id]] = await sql('SELECT id FROM roles WHERE name = ?', [name]);
  return Number(id);
}

export async function createUser(admin, fields) {
  const csrf = await admin.csrf();
  const form = { csrf, time_zone: 'UTC', active: '1', ...fields };
  const r = await admin.post('/settings/users', { form });
  assert.equal(r.status, 303, `create user: ${r.status} ${r.text_.slice(0, 500)}`);
  const [[id]] = await sql('SELECT id FROM users WHERE login = ?', [fields.login]);
  return Number(id);
}
