// Tiny HTTP helpers for the end-to-end tests: real requests through nginx,
// a cookie jar per simulated browser, and login.
import assert from 'node:assert/strict';

export const BASE = process.env.CB_BASE_URL || 'http://127.0.0.1:18080';

export class Client {
  constructor() { this.cookies = new Map(); }

  cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  remember(res) {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const maxAge = attrs.find((a) => /max-age/i.test(a));
      if (value === '' || (maxAge && /=\s*0$/.test(maxAge))) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async request(path, { method = 'GET', headers = {}, body, form } = {}) {
    const h = { ...headers };
    if (this.cookies.size) h.cookie = this.cookieHeader();
    if (form) {
      body = new URLSearchParams(form).toString();
      h['content-type'] = 'application/x-www-form-urlencoded';
    }
    const res = await fetch(BASE + path, { method, headers: h, body, redirect: 'manual' });
    this.remember(res);
    res.text_ = await res.text();
    return res;
  }

  get(path, opts = {}) { return this.request(path, opts); }
  post(path, opts = {}) { return this.request(path, { ...opts, method: 'POST' }); }

  async login(login, password) {
    const page = await this.get('/login');
    assert.equal(page.status, 200);
    const csrf = page.text_.match(/name="csrf" value="([^"]+)"/)[1];
    const res = await this.post('/login', { form: { csrf, login, password, next: '/calls' } });
    assert.equal(res.status, 303, `login as ${login}: ${res.status} ${res.text_}`);
    return res;
  }

  // The session's CSRF token, read from a page's logout form.
  async csrf() {
    const page = await this.get('/calls');
    const m = page.text_.match(/name="csrf" value="([^"]+)"/);
    return m && m[1];
  }
}
