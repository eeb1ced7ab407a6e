// Owns how a mail looks in a brand: the sender's name and address, and the HTML part framed with the
// brand's logo (or name) and colour. The text part is never touched, so codes and links stay as they are.
import Handlebars from 'handlebars';

export interface MailBrand {
  name: string;
  /** The brand's own sender (nodemailer quotes the name). */
  from?: { name: string; address: string };
  /** An absolute address of the logo. */
  logoUrl?: string;
  accent: string;
}

const frame = Handlebars.compile(`<div style="border-top:6px solid {{accent}};padding:16px 0 0">
<p>{{#if logoUrl}}<img src="{{logoUrl}}" alt="{{name}}" height="40" style="height:40px;width:auto">{{else}}<strong style="color:{{accent}}">{{name}}</strong>{{/if}}</p>
{{{html}}}
</div>`);

export function framedHtml(html: string, brand: MailBrand | undefined): string {
  return brand ? frame({ ...brand, html }) : html;
}

