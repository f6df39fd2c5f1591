// Which pictures the phone scales and what goes to the outbox. jsdom has no image decoder and
// no canvas: the browser's part is stood in for (createImageBitmap says the picture's size, the
// canvas hands back a tiny JPEG); what is tested is this module's choices and that the bytes of
// a picture sent as it is are the bytes chosen. The real decode and draw are in the browser
// tests (tests/browser/test_field_offline.py).
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { exifSegment, orientationOf } from "./exif";
import { keepOriginals, MAX_SIDE, photosToKeep, scalePhoto, targetSize } from "./scale";

// Node's fs, typed here: the app's tsconfig has browser types only (no @types/node).
type Fs = { readFileSync(path: URL): Uint8Array };
const fs = (await import(/* @vite-ignore */ ["node", "fs"].join(":"))) as Fs;
const here = import.meta.url; // not inline: Vite would take `new URL(…, import.meta.url)` for an asset
const fixture = (name: string): Uint8Array =>
  new Uint8Array(fs.readFileSync(new URL(`../../../../tests/fixtures/field_photos/${name}`, here)));

// A PNG's signature and the start of its header chunk, and the start of a HEIC's `ftyp` box:
// enough for a type check, and bytes to compare.
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0x0c, 0x80]);
const HEIC = new Uint8Array([0, 0, 0, 0x18, 0x66, 0x74, 0x79, 0x70, 0x68, 0x65, 0x69, 0x63, 0, 0, 0, 0, 0x6d, 0x69, 0x66, 0x31]);
// What a canvas writes: SOI, a JFIF APP0, a scan, EOI.
const DRAWN = new Uint8Array([
  0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00,
  0xff, 0xda, 0x00, 0x04, 0x01, 0x02, 0x11, 0x22, 0x33, 0xff, 0xd9,
]);

const bytesOf = async (blob: Blob): Promise<Uint8Array> => new Uint8Array(await blob.arrayBuffer());

/** The browser's decoder, reporting the upright size of whatever it is given. */
function decoder(width: number, height: number) {
  const close = vi.fn();
  const decode = vi.fn(async () => ({ width, height, close }) as unknown as ImageBitmap);
  vi.stubGlobal("createImageBitmap", decode);
  return { decode, close };
}

/** A canvas that records the size it was drawn at and encodes to DRAWN. */
function canvas(): { drawn: { width: number; height: number }[] } {
  const drawn: { width: number; height: number }[] = [];
  vi.spyOn(HTMLCanvasElement.prototype, "getContext").mockImplementation(function (this: HTMLCanvasElement) {
    const target = this;
    return {
      imageSmoothingQuality: "low",
      drawImage: () => drawn.push({ width: target.width, height: target.height }),
    } as unknown as CanvasRenderingContext2D;
  } as unknown as HTMLCanvasElement["getContext"]);
  vi.spyOn(HTMLCanvasElement.prototype, "toBlob").mockImplementation((done: BlobCallback, type?: string) =>
    done(new Blob([DRAWN], { type: type ?? "image/png" })),
  );
  return { drawn };
}

beforeEach(() => localStorage.clear());
afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe("the size a photo is drawn at", () => {
  it("brings the longest side to 2560, proportions kept", () => {
    expect(targetSize(2400, 3200)).toEqual({ width: 1920, height: 2560 });
    expect(targetSize(4000, 3000)).toEqual({ width: MAX_SIDE, height: 1920 });
  });

  it("leaves a picture at most 2560 px as it is", () => {
    expect(targetSize(2560, 1920)).toBeNull();
    expect(targetSize(800, 600)).toBeNull();
    expect(targetSize(0, 0)).toBeNull();
  });
});

describe("a picture that is not a JPEG", () => {
  it.each([
    ["a PNG screenshot", "screen.png", "image/png", PNG],
    ["a HEIC photo from an iPhone", "IMG_0001.HEIC", "image/heic", HEIC],
    ["a HEIF photo", "IMG_0002.heif", "image/heif", HEIC],
  ])("goes as it is: %s, its bytes unchanged, never decoded", async (_what, name, type, bytes) => {
    const { decode } = decoder(4032, 3024); // larger than 2560: still not scaled
    const { drawn } = canvas();
    const file = new File([bytes as BlobPart], name, { type, lastModified: 1_700_000_000_000 });
    const sent = await scalePhoto(file);
    expect(sent).toBe(file);
    expect(sent.name).toBe(name);
    expect(sent.type).toBe(type);
    expect(await bytesOf(sent)).toEqual(bytes);
    expect(decode).not.toHaveBeenCalled();
    expect(drawn).toEqual([]);
  });

  it("is one item in the outbox even with «Сохранять оригиналы» on: it is its own original", async () => {
    decoder(4032, 3024);
    canvas();
    const file = new File([PNG as BlobPart], "screen.png", { type: "image/png" });
    const kept = await photosToKeep(file, true);
    expect(kept).toEqual([{ file, original: false }]);
    expect(await bytesOf(kept[0]?.file ?? new Blob())).toEqual(PNG);
  });
});

describe("a JPEG", () => {
  const camera = fixture("site-1.jpg"); // 3200x2400 stored, Orientation 6: 2400x3200 upright

  it("larger than 2560 px is drawn at 1920x2560 and keeps its EXIF, made upright", async () => {
    const { decode, close } = decoder(2400, 3200);
    const { drawn } = canvas();
    const file = new File([camera as BlobPart], "site-1.JPEG", { type: "image/jpeg", lastModified: 1_700_000_000_000 });
    const sent = await scalePhoto(file);
    expect(sent).not.toBe(file);
    expect(decode).toHaveBeenCalledWith(file, { imageOrientation: "from-image" });
    expect(drawn).toEqual([{ width: 1920, height: 2560 }]);
    expect(sent.name).toBe("site-1.jpg");
    expect(sent.type).toBe("image/jpeg");
    expect(sent.lastModified).toBe(file.lastModified);
    const exif = exifSegment(await bytesOf(sent));
    expect(exif).not.toBeNull();
    expect(orientationOf(exif as Uint8Array)).toBe(1);
    expect(new TextDecoder("latin1").decode(exif as Uint8Array)).toContain("2026:11:30 10:21:00");
    expect(close).toHaveBeenCalled();
  });

  it("at most 2560 px goes as it is", async () => {
    decoder(1920, 2560);
    const { drawn } = canvas();
    const file = new File([camera as BlobPart], "small.jpg", { type: "image/jpeg" });
    expect(await scalePhoto(file)).toBe(file);
    expect(drawn).toEqual([]);
    expect(await photosToKeep(file, true)).toEqual([{ file, original: false }]);
  });

  it("the browser cannot decode goes as it is", async () => {
    vi.stubGlobal(
      "createImageBitmap",
      vi.fn(async () => {
        throw new DOMException("The source image could not be decoded.", "InvalidStateError");
      }),
    );
    const file = new File([camera as BlobPart], "odd.jpg", { type: "image/jpeg" });
    expect(await scalePhoto(file)).toBe(file);
  });

  it("is sent scaled only, by default", async () => {
    decoder(2400, 3200);
    canvas();
    const file = new File([camera as BlobPart], "site-1.jpg", { type: "image/jpeg" });
    expect(keepOriginals.get()).toBe(false);
    const kept = await photosToKeep(file, keepOriginals.get());
    expect(kept.map((k) => k.original)).toEqual([false]);
    expect(kept[0]?.file).not.toBe(file);
  });

  it("is sent scaled and as the untouched original with «Сохранять оригиналы» on", async () => {
    decoder(2400, 3200);
    canvas();
    keepOriginals.set(true);
    const file = new File([camera as BlobPart], "site-1.jpg", { type: "image/jpeg" });
    const kept = await photosToKeep(file, keepOriginals.get());
    expect(kept.map((k) => k.original)).toEqual([false, true]);
    expect(kept[1]?.file).toBe(file);
    expect(await bytesOf(kept[1]?.file ?? new Blob())).toEqual(camera);
    keepOriginals.set(false);
    expect(keepOriginals.get()).toBe(false);
  });
});
