// Messages that carry markup: the markup comes only from the template's markup helpers, and every value,
// the catalogue's words included, is escaped — also when the same message carries markup.
import Handlebars from 'handlebars';
import { describe, expect, it } from 'vitest';
import { registerI18nHelpers } from '../../../src/i18n/handlebars.ts';

const hbs = Handlebars.create();
registerI18nHelpers(hbs);
const render = (template: string, context: Record<string, unknown>) => hbs.compile(template)({ language: 'en', ...context });
const attack = '<script>alert(1)</script>';

describe('{{t}} with markup arguments', () => {
  it('escapes a plain value in a message that also carries markup', () => {
    const html = render('{{t "journey.magic_link_code.started" email=(strong email) requestedAt=when userAgent=agent}}',
      { email: 'ada@example.com', when: attack, agent: 'Firefox' });
    expect(html).toContain('<strong>ada@example.com</strong>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>');
  });

  it('escapes the value inside each markup helper', () => {
    const html = render('{{t "journey.magic_link_code.started" email=(strong email) requestedAt="today" userAgent=(isolate agent)}}', { email: attack, agent: attack });
    expect(html).toContain('<strong>&lt;script&gt;alert(1)&lt;/script&gt;</strong>');
    expect(html).toContain('<bdi>&lt;script&gt;alert(1)&lt;/script&gt;</bdi>');
    expect(html).not.toContain('<script>');
    expect(render('{{t "errors.oidc.code" code=(inlineCode error)}}', { error: attack })).toContain('<code>&lt;script&gt;alert(1)&lt;/script&gt;</code>');
  });

  it('escapes a link\'s address and words, and a nested message', () => {
    const html = render('{{t "consent.privacy.record_intro" jwks=(linkTo href href)}}', { href: '"><script>x</script>' });
    expect(html).toContain('<a href="&quot;&gt;&lt;script&gt;x&lt;/script&gt;" dir="auto">&quot;&gt;&lt;script&gt;x&lt;/script&gt;</a>');
    expect(render('{{t "consent.privacy.fields_intro" profile=(linkTo "/account/profile" (t "consent.privacy.your_profile"))}}', {}))
      .toContain('<a href="/account/profile" dir="auto">your profile</a>');
  });

  it('a value cannot forge the mark that stands for markup', () => {
    const html = render('{{t "journey.magic_link_code.started" email=(strong email) requestedAt=when userAgent="x"}}', { email: 'a@b', when: '\u00010\u0001' });
    expect(html.match(/<strong>/g)).toHaveLength(1);
  });

  it('escapes values of a message without markup', () => {
    expect(render('{{t "journey.magic_link_code.started" email=email requestedAt="today" userAgent="x"}}', { email: attack })).not.toContain('<script>');
  });
});
