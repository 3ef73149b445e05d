// The addresses of every page kind an admin can open, one of each (ids from the demo data): the
// layout test (any screen) and the accessibility test (axe) go through the same list.
import { sql } from '../lib/db.js';

async function one(q) { const [[v]] = await sql(q); return v; }

// The addresses an admin can open, one of each kind (ids from the demo data).
export async function pages() {
  const call = await one("SELECT MAX(id) FROM calls WHERE customer_id IS NOT NULL AND recording_state = 'stored'") ||
    await one('SELECT MAX(id) FROM calls');
  const customer = await one('SELECT MAX(customer_id) FROM orders');
  const order = await one('SELECT MAX(id) FROM orders');
  const lead = await one('SELECT MAX(id) FROM leads');
  const user = await one("SELECT id FROM users WHERE login = 'manager'");
  const role = await one("SELECT id FROM roles WHERE name = 'manager'");
  const integration = await one('SELECT MIN(id) FROM integrations');
  const trigger = await one('SELECT MAX(trigger_id) FROM trigger_runs') || await one('SELECT MAX(id) FROM triggers');
  const list = ['/calls', `/calls/${call}`, `/customers/${customer}/calls`, `/customers/${customer}`,
    `/orders/${order}/calls`, `/orders/${order}`, '/customers/new?phone=%2B380671234567',
    '/orders/new?phone=%2B380671234567', '/leads/new?phone=%2B380671234567', '/tasks', '/tasks?view=done',
    '/tasks/missed', '/notifications', '/settings', '/settings/users', '/settings/users/new',
    `/settings/users/${user}`, '/settings/users/me', '/settings/roles', '/settings/roles/new',
    `/settings/roles/${role}`, '/settings/listening-log', '/settings/automation', '/settings/triggers',
    '/settings/triggers/new', '/settings/integrations', `/settings/integrations/${integration}`,
    '/settings/integrations/new?kind=generic', '/settings/integrations/dead-letters', '/settings/exceptions',
    '/analytics', '/settings/analytics', '/settings/sms', '/settings/sms/new?kind=turbosms', `/settings/integrations/${integration}/status`,
    '/dial?number=%2B380671234567', '/no-such-page'];
  if (lead) list.push(`/leads/${lead}`);
  if (trigger) list.push(`/settings/triggers/${trigger}`);
  return list;
}

