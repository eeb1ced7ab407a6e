// Brand colours and logos, as pure checks: WCAG contrast ratios, the pairs refused below 4.5:1, and a logo's
// type told by its bytes (SVG and anything else refused), its size limit.
import { describe, expect, it } from 'vitest';
import { contrastProblems, contrastRatio, isHexColour } from '../../../src/brands/colours.ts';
import { checkLogo, LOGO_MAX_BYTES, sniffImageType } from '../../../src/brands/logo.ts';
import { checkTemplate } from '../../../src/brands/templates.ts';
import { onePixelPng, SVG_WITH_SCRIPT } from '../../support/images.ts';

describe('brand colours', () => {
  it('computes WCAG contrast ratios', () => {
    expect(contrastRatio('#000', '#fff')).toBeCloseTo(21, 5);
    expect(contrastRatio('#ffffff', '#ffffff')).toBeCloseTo(1, 5);
    expect(contrastRatio('#767676', '#ffffff')).toBeCloseTo(4.54, 2);
  });
  it('accepts hex colours only', () => {
    expect(['#abc', '#A1B2C3'].every(isHexColour)).toBe(true);
    expect(['red', 'abc', '#abcd', '#12345g', 'rgb(0,0,0)', '#fff;}'].some(isHexColour)).toBe(false);
  });
  it('names each pair below 4.5:1', () => {
    expect(contrastProblems({ accent: '#2f5bea', text: '#1d2330', background: '#f6f7fb' })).toEqual([]);
    const problems = contrastProblems({ accent: '#ffcc00', text: '#999999', background: '#ffffff' });
    expect(problems.map((p) => p.split(':')[0])).toEqual(['text on background', 'text on the white content box', 'button text (white) on accent', 'accent links on the white content box']);
  });
});

describe('brand logos', () => {
  it('tells PNG, JPEG and WebP by their bytes', () => {
    expect(sniffImageType(onePixelPng([1, 2, 3]))).toBe('image/png');
    expect(sniffImageType(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0]))).toBe('image/jpeg');
    expect(sniffImageType(Buffer.from('RIFF\0\0\0\0WEBPVP8 '))).toBe('image/webp');
    expect(sniffImageType(SVG_WITH_SCRIPT)).toBeUndefined();
    expect(sniffImageType(Buffer.from('GIF89a'))).toBeUndefined();
  });
  it('refuses empty, oversized and non-image files', () => {
    expect(() => checkLogo(Buffer.alloc(0))).toThrow(expect.objectContaining({ status: 400 }));
    expect(() => checkLogo(Buffer.concat([onePixelPng([0, 0, 0]), Buffer.alloc(LOGO_MAX_BYTES)]))).toThrow(expect.objectContaining({ status: 413 }));
    expect(() => checkLogo(SVG_WITH_SCRIPT)).toThrow(expect.objectContaining({ status: 415 }));
    expect(checkLogo(onePixelPng([0, 0, 0])).hash).toMatch(/^[\w-]{16}$/);
  });
});

describe('template overrides', () => {
  it('refuses what does not compile and anything printed unescaped', () => {
    expect(() => checkTemplate('<p>{{brandName}}</p>')).not.toThrow();
    expect(() => checkTemplate('{{#if a}}open')).toThrow(expect.objectContaining({ status: 400, code: 'brand.template_invalid' }));
    expect(() => checkTemplate('{{{html}}}')).toThrow(expect.objectContaining({ code: 'brand.template_unescaped' }));
    expect(() => checkTemplate('{{& html}}')).toThrow(expect.objectContaining({ code: 'brand.template_unescaped' }));
  });
});
