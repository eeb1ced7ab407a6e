// Owns the bits of markup a translated admin message carries as a value ({{t "admin.…" link=…}}): the
// message is escaped around them and they are kept as they are, so a sentence with a link in it stays one
// message a translator can reorder, never words glued to a link.
import Handlebars from 'handlebars';

const escape = (text: string) => Handlebars.Utils.escapeExpression(text);

export const link = (href: string, text: string): Handlebars.SafeString => new Handlebars.SafeString(`<a href="${escape(href)}">${escape(text)}</a>`);

export const code = (text: string, id?: string): Handlebars.SafeString => new Handlebars.SafeString(`<code${id ? ` id="${escape(id)}"` : ''}>${escape(text)}</code>`);
