// A minimal cookie-keeping HTTP client that follows redirects and submits Foyer's forms, for fast
// end-to-end tests of the protocol (Chromium tests cover the pages as a person sees them).
export interface Page {
  url: string;
  status: number;
  html: string;
  headers: Headers;
}

export class FormBrowser {
  private cookies = new Map<string, string>();
  /** Where to stop following redirects (the page there is not fetched). */
  stopAt: (url: string) => boolean;
  /** Headers sent with every request (e.g. a proxy's X-Forwarded-For), computed afresh each time. */
  headers: () => Record<string, string> = () => ({});

  constructor(stopAt: (url: string) => boolean = () => false) {
    this.stopAt = stopAt;
  }

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private store(headers: Headers): void {
    for (const line of headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = attrs.some((a) => /expires=thu, 01 jan 1970/i.test(a.trim())) || value === '';
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  async request(url: string, init: { method?: string; body?: string | Uint8Array<ArrayBuffer>; headers?: Record<string, string> } = {}): Promise<Page> {
    let current = url;
    let method = init.method ?? 'GET';
    let body: string | Uint8Array<ArrayBuffer> | undefined = init.body;
    for (let hops = 0; hops < 20; hops++) {
      const res = await fetch(current, {
        method,
        body,
        redirect: 'manual',
        headers: { cookie: this.cookieHeader(), accept: 'text/html', ...(body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}), ...this.headers(), ...init.headers },
      });
      this.store(res.headers);
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        current = new URL(location, current).href;
        if (this.stopAt(current)) return { url: current, status: res.status, html: '', headers: res.headers };
        method = 'GET';
        body = undefined;
        continue;
      }
      return { url: current, status: res.status, html: await res.text(), headers: res.headers };
    }
    throw new Error('too many redirects');
  }

  get(url: string) {
    return this.request(url);
  }

  /** Submits the form whose action contains `action` on `page`, with its hidden fields plus `fields`. */
  async submit(page: Page, action: string, fields: Record<string, string | string[]>, options: { omitCsrf?: boolean } = {}): Promise<Page> {
    const forms = [...page.html.matchAll(/<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/g)];
    const form = forms.find((f) => f[1]!.includes(action));
    if (!form) throw new Error(`no form with action ${action} on ${page.url}:\n${page.html.slice(0, 2000)}`);
    const params = new URLSearchParams();
    for (const hidden of form[2]!.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) {
      if (options.omitCsrf && hidden[1] === '_csrf') continue;
      params.append(hidden[1]!, decodeEntities(hidden[2]!));
    }
    for (const [key, value] of Object.entries(fields)) {
      params.delete(key);
      for (const v of Array.isArray(value) ? value : [value]) params.append(key, v);
    }
    return this.request(new URL(decodeEntities(form[1]!), page.url).href, { method: 'POST', body: params.toString() });
  }
}

export function decodeEntities(text: string): string {
  return text.replace(/&amp;/g, '&').replace(/&#x3D;/g, '=').replace(/&quot;/g, '"').replace(/&#x27;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');
}
