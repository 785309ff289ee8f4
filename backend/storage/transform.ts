/**
 * Image transformations as Supabase Storage serves them (`/render/image/...`, and the
 * `transform` option of storage-js `download`, `getPublicUrl` and `createSignedUrl`): width,
 * height, resize (`cover`, the default, `contain`, `fill`), format and quality (20 to 100,
 * default 80). Done with sharp (libvips), loaded on first use. Where Supabase converts to WebP
 * when no format is asked for, DevFlow keeps the original format (`origin`); `webp`, `avif`,
 * `png` and `jpeg` convert.
 */
import type { Readable } from 'node:stream';
import { storageErrors } from './errors.js';

export type ResizeMode = 'cover' | 'contain' | 'fill';
export type OutputFormat = 'origin' | 'webp' | 'avif' | 'png' | 'jpeg';

export interface ImageTransform {
  width?: number;
  height?: number;
  resize: ResizeMode;
  format: OutputFormat;
  quality: number;
}

const RESIZE: readonly ResizeMode[] = ['cover', 'contain', 'fill'];
const FORMATS: readonly OutputFormat[] = ['origin', 'webp', 'avif', 'png', 'jpeg'];
/** The largest side a transformation makes, as Supabase's limit. */
export const MAX_DIMENSION = 2500;

function dimension(name: string, value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_DIMENSION) throw storageErrors.invalidRequest(`${name} must be a whole number from 1 to ${MAX_DIMENSION}`);
  return n;
}

/** The options from a query string or a signed token's `transformations`; refuses what it cannot do. */
export function parseTransform(source: Record<string, unknown>): ImageTransform {
  const resize = (source.resize ?? 'cover') as ResizeMode;
  if (!RESIZE.includes(resize)) throw storageErrors.invalidRequest(`resize must be one of ${RESIZE.join(', ')}`);
  const format = (source.format ?? 'origin') as OutputFormat;
  if (!FORMATS.includes(format)) throw storageErrors.invalidRequest(`format must be one of ${FORMATS.join(', ')}`);
  const quality = source.quality === undefined || source.quality === '' ? 80 : Number(source.quality);
  if (!Number.isInteger(quality) || quality < 20 || quality > 100) throw storageErrors.invalidRequest('quality must be a whole number from 20 to 100');
  return { width: dimension('width', source.width), height: dimension('height', source.height), resize, format, quality };
}

export function transformFromQuery(query: URLSearchParams): ImageTransform {
  const pick = (name: string) => query.get(name) ?? undefined;
  return parseTransform({ width: pick('width'), height: pick('height'), resize: pick('resize'), format: pick('format'), quality: pick('quality') });
}

const MIME: Record<string, string> = { webp: 'image/webp', avif: 'image/avif', png: 'image/png', jpeg: 'image/jpeg', jpg: 'image/jpeg', gif: 'image/gif', tiff: 'image/tiff' };

/** Reads the image from `input`, transforms it and returns the bytes with their type. */
export async function renderImage(input: Readable, options: ImageTransform): Promise<{ bytes: Buffer; contentType: string }> {
  const { default: sharp } = await import('sharp');
  let image = sharp({ failOn: 'error' });
  input.pipe(image);
  if (options.width !== undefined || options.height !== undefined) {
    image = image.resize({ width: options.width, height: options.height, fit: options.resize });
  }
  if (options.format !== 'origin') image = image.toFormat(options.format, { quality: options.quality });
  else image = image.jpeg({ quality: options.quality, force: false }).webp({ quality: options.quality, force: false }).avif({ quality: options.quality, force: false });
  try {
    const { data, info } = await image.toBuffer({ resolveWithObject: true });
    return { bytes: data, contentType: MIME[info.format] ?? 'application/octet-stream' };
  } catch (err) {
    throw storageErrors.invalidRequest(`the object is not an image that can be transformed: ${(err as Error).message}`);
  }
}
