// Owns checking a brand's template override before it is stored: it must parse as handlebars (a syntax
// error is a 400 naming the line), and it must not print anything unescaped ({{{ }}} or {{& }}), so an
// override cannot turn a customer's own text into markup on the page.
import Handlebars from 'handlebars';
import { AppError } from '../errors/app-error.ts';
import { TEMPLATE_MAX_CHARS } from './schema.ts';

export function checkTemplate(source: string): void {
  if (source.length > TEMPLATE_MAX_CHARS) throw new AppError('brand.template_too_large', `A template override may have at most ${TEMPLATE_MAX_CHARS} characters.`, 413);
  try {
    Handlebars.precompile(Handlebars.parse(source));
  } catch (error) {
    const detail = error instanceof Error ? error.message.split('\n')[0] : 'it does not parse';
    throw new AppError('brand.template_invalid', `The template does not compile: ${detail}`, 400);
  }
  if (/\{\{\{|\{\{~?\s*&/.test(source)) throw new AppError('brand.template_unescaped', 'A template override may not print unescaped values ({{{ }}} or {{& }}).', 400);
}
