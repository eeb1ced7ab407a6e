// Owns what a brand logo may be: PNG, JPEG or WebP, told by the file's first bytes (never by its name or a
// declared type), at most LOGO_MAX_BYTES. SVG is refused: it can carry scripts, and no sanitizer is kept here.
import { createHash } from 'node:crypto';
import { AppError } from '../errors/app-error.ts';

export const LOGO_MAX_BYTES = 256 * 1024;

export type LogoType = 'image/png' | 'image/jpeg' | 'image/webp';

const startsWith = (bytes: Uint8Array, prefix: number[], at = 0) => prefix.every((b, i) => bytes[at + i] === b);

/** The image type the bytes are, or undefined. */
export function sniffImageType(bytes: Uint8Array): LogoType | undefined {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(bytes, [0x52, 0x49, 0x46, 0x46]) && startsWith(bytes, [0x57, 0x45, 0x42, 0x50], 8)) return 'image/webp';
  return undefined;
}

export interface CheckedLogo {
  bytes: Buffer;
  type: LogoType;
  /** A short content hash: the version in the logo's address, and its ETag. */
  hash: string;
}

/** A logo that may be stored, or a 413/415 AppError saying why not. */
export function checkLogo(bytes: Uint8Array): CheckedLogo {
  if (bytes.length === 0) throw new AppError('brand.logo_empty', 'The logo file is empty.', 400);
  if (bytes.length > LOGO_MAX_BYTES) throw new AppError('brand.logo_too_large', `The logo is ${bytes.length} bytes; at most ${LOGO_MAX_BYTES} bytes (256 KiB) are accepted.`, 413);
  const type = sniffImageType(bytes);
  if (!type) throw new AppError('brand.logo_type', 'The logo must be a PNG, JPEG or WebP image (SVG is not accepted: it can carry scripts).', 415);
  const buffer = Buffer.from(bytes);
  return { bytes: buffer, type, hash: createHash('sha256').update(buffer).digest('base64url').slice(0, 16) };
}
