// The EXIF splice against real camera-like JPEGs (tests/fixtures/field_photos, made with
// Pillow: Orientation 6, DateTimeOriginal, GPS).
import { describe, expect, it } from "vitest";
import { exifSegment, orientationOf, segments, uprightExif, withExif } from "./exif";

// Node's fs, typed here: the app's tsconfig has browser types only (no @types/node).
type Fs = { readFileSync(path: URL): Uint8Array };
const fs = (await import(/* @vite-ignore */ ["node", "fs"].join(":"))) as Fs;
const here = import.meta.url; // not inline: Vite would take `new URL(…, import.meta.url)` for an asset
const fixture = (name: string): Uint8Array =>
  new Uint8Array(fs.readFileSync(new URL(`../../../../tests/fixtures/field_photos/${name}`, here)));

// What a canvas writes: SOI, a JFIF APP0, then (here, a stand-in for) the image data.
const JFIF = [0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00];
const SCAN = [0xff, 0xda, 0x00, 0x04, 0x01, 0x02, 0x11, 0x22, 0x33, 0xff, 0xd9];
const canvasJpeg = (): Uint8Array => new Uint8Array([0xff, 0xd8, ...JFIF, ...SCAN]);
const text = (bytes: Uint8Array): string => new TextDecoder("latin1").decode(bytes);

describe("EXIF of a phone photo", () => {
  const original = fixture("site-1.jpg");
  const exif = exifSegment(original);

  it("is found, with its orientation, time and GPS", () => {
    expect(exif).not.toBeNull();
    expect(orientationOf(exif as Uint8Array)).toBe(6);
    expect(text(exif as Uint8Array)).toContain("2026:11:30 10:21:00");
  });

  it("is made upright (Orientation 1) in a copy, everything else unchanged", () => {
    const upright = uprightExif(exif as Uint8Array);
    expect(orientationOf(upright)).toBe(1);
    expect(orientationOf(exif as Uint8Array)).toBe(6);
    const differing = upright.reduce((n, byte, i) => n + (byte === (exif as Uint8Array)[i] ? 0 : 1), 0);
    expect(differing).toBe(1);
    expect(upright.length).toBe((exif as Uint8Array).length);
  });

  it("goes into a re-encoded JPEG after its JFIF segment", () => {
    const out = withExif(canvasJpeg(), uprightExif(exif as Uint8Array));
    const found = segments(out)?.map((s) => s.marker.toString(16));
    expect(found).toEqual(["e0", "e1"]);
    expect(orientationOf(exifSegment(out) as Uint8Array)).toBe(1);
    expect(Array.from(out.slice(-SCAN.length))).toEqual(SCAN); // the image data untouched
    expect(out.length).toBe(canvasJpeg().length + (exif as Uint8Array).length);
  });

  it("replaces an Exif segment the JPEG had, keeping one", () => {
    const once = withExif(canvasJpeg(), exif as Uint8Array);
    const twice = withExif(once, uprightExif(exif as Uint8Array));
    expect(segments(twice)?.filter((s) => s.marker === 0xe1)).toHaveLength(1);
    expect(orientationOf(exifSegment(twice) as Uint8Array)).toBe(1);
    expect(twice.length).toBe(once.length);
  });

  it("is absent from what is not a JPEG", () => {
    expect(exifSegment(new TextEncoder().encode("\x89PNG...."))).toBeNull();
    expect(() => withExif(new Uint8Array([1, 2, 3]), exif as Uint8Array)).toThrow();
  });
});

describe("the scaled size", () => {
  it("brings the longest side to 2560, keeping proportions", async () => {
    const { targetSize } = await import("./scale");
    expect(targetSize(4032, 3024)).toEqual({ width: 2560, height: 1920 });
    expect(targetSize(2400, 3200)).toEqual({ width: 1920, height: 2560 });
    expect(targetSize(2560, 1000)).toBeNull();
    expect(targetSize(800, 600)).toBeNull();
  });
});
