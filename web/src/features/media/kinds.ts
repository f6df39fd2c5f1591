// Which purposes to offer, which kind (photo or document) a file is uploaded as, and its
// content type. Pure, so the choices are unit-tested; the server decides anyway.
import type { Schemas } from "../../api/client";

export type MediaKind = "photo" | "document";
export type Allowed = Record<MediaKind, readonly string[]>;
export type UploadBody = Schemas["PhotoUpload"] | Schemas["DocumentUpload"];

/** Every purpose, in the order the picker lists them (field work first). */
export const PURPOSES = [
  "measurement",
  "installation",
  "rework",
  "requirements",
  "contract_draft",
  "calculation",
  "signed_contract",
  "other",
] as const;
export type Purpose = (typeof PURPOSES)[number];

const IMAGE_TYPES = ["image/jpeg", "image/png", "image/webp", "image/heic", "image/heif"];
const DOCUMENT_ONLY_TYPES = [
  "application/pdf",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
];

/** What the picker offers (PDF, Word, Excel, images): the media service takes just these.
 * The new-order dialog's file picker offers the same. */
export const ACCEPT_ANY = "application/pdf,.pdf,.docx,.xlsx,image/*,.heic,.heif";
export const ACCEPT_IMAGES = "image/*,.heic,.heif";

// Some phones and systems report no type for .docx/.heic (or only application/octet-stream);
// the server checks the declared type, so name it.
const BY_EXTENSION: Record<string, string> = {
  pdf: "application/pdf",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  png: "image/png",
  webp: "image/webp",
  heic: "image/heic",
  heif: "image/heif",
};

export function contentTypeOf(file: { name: string; type: string }): string {
  const ext = (file.name.split(".").pop() ?? "").toLowerCase();
  const declared = file.type.toLowerCase();
  // "image/jpg" is what some Android galleries say; the server knows only image/jpeg.
  if (declared === "image/jpg") return "image/jpeg";
  if (declared && declared !== "application/octet-stream") return declared;
  return BY_EXTENSION[ext] ?? "application/octet-stream";
}

export const isImage = (contentType: string): boolean => IMAGE_TYPES.includes(contentType);

/** The purposes to offer: what the server lets this role attach (either kind), narrowed to
 * `wanted` when the caller asks for some (e.g. only signed_contract from a gate dialog). */
export function offeredPurposes(allowed: Allowed, wanted?: readonly string[]): Purpose[] {
  const any = new Set([...allowed.photo, ...allowed.document]);
  return PURPOSES.filter((p) => any.has(p) && (!wanted || wanted.includes(p)));
}

/** Does this purpose take photos (so the camera button makes sense)? */
export const takesPhotos = (allowed: Allowed, purpose: string): boolean => allowed.photo.includes(purpose);

/**
 * The kind a file is uploaded as: an image for a photo purpose is a photo (thumbnail, when
 * and where it was taken); a PDF/Word/Excel, or an image for a document-only purpose (a scan
 * of a signed contract), is a document. Null: this file cannot go under this purpose.
 */
export function kindFor(allowed: Allowed, purpose: string, contentType: string): MediaKind | null {
  if (isImage(contentType) && allowed.photo.includes(purpose)) return "photo";
  if ((isImage(contentType) || DOCUMENT_ONLY_TYPES.includes(contentType)) && allowed.document.includes(purpose)) {
    return "document";
  }
  return null;
}

/**
 * The purpose a worker most likely means on this stage, so one tap on "take a photo" is
 * enough (ported from the old app): a measurer's files are measurements, an installer's are
 * installation photos, a signed contract on the contract stage, the customer's requirements
 * at intake.
 */
export function defaultPurpose(
  offered: readonly Purpose[],
  role: string | undefined,
  stage: string | undefined,
): Purpose | undefined {
  const wish: Purpose[] = [];
  if (role === "measurer" || stage === "measurement") wish.push("measurement");
  if (stage === "rework") wish.push("rework");
  if (role === "installer" || stage === "installation") wish.push("installation");
  if (stage === "contract") wish.push("signed_contract");
  if (stage === "intake") wish.push("requirements");
  wish.push("other");
  return wish.find((p) => offered.includes(p)) ?? offered[0];
}

/** The request for an upload slot. */
export function uploadBody(
  file: { name: string; size: number },
  kind: MediaKind,
  purpose: string,
  contentType: string,
  clientKey: string,
  visitId?: string | null,
): UploadBody {
  return {
    kind,
    purpose,
    filename: file.name || (kind === "photo" ? "photo.jpg" : "document"),
    content_type: contentType,
    size: file.size,
    client_key: clientKey,
    // The visit the photo was taken on: it counts for that visit's gate (checked on site).
    ...(visitId ? { visit_id: visitId } : {}),
  } as UploadBody;
}
