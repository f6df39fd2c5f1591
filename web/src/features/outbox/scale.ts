// A photo made smaller on the phone before it waits in the outbox: longest side 2560 px,
// JPEG quality 0.85 — a 12-megapixel camera photo of 4–6 MB becomes ~1 MB, which matters on
// a weak link and in the phone's storage. The browser decodes it upright
// (`imageOrientation: "from-image"` applies EXIF Orientation), a canvas draws it at the new
// size, and the original's EXIF (time taken, GPS) is copied into the result with Orientation
// reset to 1 (exif.ts). Only JPEGs are scaled: a HEIC that Chromium cannot decode, a PNG
// screenshot or a photo already small enough goes as it is (the server reads its metadata).
import { exifSegment, uprightExif, withExif } from "./exif";

export const MAX_SIDE = 2560;
export const QUALITY = 0.85;

/** The size to draw at: the longest side at most `max`, proportions kept; null: as it is. */
export function targetSize(width: number, height: number, max = MAX_SIDE): { width: number; height: number } | null {
  const longest = Math.max(width, height);
  if (longest <= max || longest <= 0) return null;
  const k = max / longest;
  return { width: Math.max(1, Math.round(width * k)), height: Math.max(1, Math.round(height * k)) };
}

const isJpeg = (file: Blob): boolean => file.type === "image/jpeg" || file.type === "image/jpg";

async function encode(bitmap: ImageBitmap, size: { width: number; height: number }): Promise<Blob | null> {
  const canvas = document.createElement("canvas");
  canvas.width = size.width;
  canvas.height = size.height;
  const context = canvas.getContext("2d");
  if (!context) return null;
  context.imageSmoothingQuality = "high";
  context.drawImage(bitmap, 0, 0, size.width, size.height);
  return new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", QUALITY));
}

/** The photo to keep and send: scaled with its EXIF, or the original when it cannot or need
 * not be scaled. Never throws: a photo that cannot be scaled is still a photo. */
export async function scalePhoto(file: File): Promise<File> {
  if (!isJpeg(file) || typeof createImageBitmap !== "function") return file;
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
  } catch {
    return file; // not decodable here: the server judges it
  }
  try {
    const size = targetSize(bitmap.width, bitmap.height);
    if (!size) return file; // small enough: the original keeps its quality and metadata
    const drawn = await encode(bitmap, size);
    if (!drawn) return file;
    const exif = exifSegment(new Uint8Array(await file.arrayBuffer()));
    const bytes = exif ? withExif(new Uint8Array(await drawn.arrayBuffer()), uprightExif(exif)) : drawn;
    const name = file.name.replace(/\.(jpe?g)$/i, "") + ".jpg";
    return new File([bytes as BlobPart], name, { type: "image/jpeg", lastModified: file.lastModified });
  } catch {
    return file;
  } finally {
    bitmap.close();
  }
}

/** What one chosen picture becomes in the outbox: the photo to send (scaled when it was
 * scaled), and — with «Сохранять оригиналы» on — its untouched original too. A picture that
 * went as it is has no second copy: it is its own original. */
export async function photosToKeep(file: File, keepOriginal: boolean): Promise<{ file: File; original: boolean }[]> {
  const scaled = await scalePhoto(file);
  const kept = [{ file: scaled, original: false }];
  if (scaled !== file && keepOriginal) kept.push({ file, original: true });
  return kept;
}

const KEEP_ORIGINALS = "oms.keep_originals";

/** «Сохранять оригиналы»: this phone also uploads each photo's original. Off by default. */
export const keepOriginals = {
  get: (): boolean => localStorage.getItem(KEEP_ORIGINALS) === "1",
  set: (on: boolean): void => (on ? localStorage.setItem(KEEP_ORIGINALS, "1") : localStorage.removeItem(KEEP_ORIGINALS)),
};
