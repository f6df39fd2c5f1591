// Files chosen in the new-order dialog, attached once the order exists: the media service's
// three steps — declare the file (POST /orders/{id}/media → a presigned upload_url), PUT the
// bytes there with their type (the browser sends the exact length), then ask the service to
// check it (POST /media/{id}/complete). The order card's own upload form does the same with
// progress and retries; here the files are few and small (requirements, a draft contract).
import { ApiError, api, ok, type Schemas } from "../../api/client";

// Some systems report no type for .docx/.heic: the server checks the declared type, so name it.
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

/** What the file picker offers: the types a document may be. */
export const DOCUMENT_ACCEPT = ".pdf,.docx,.xlsx,image/*,.heic,.heif";

export function contentTypeOf(file: { name: string; type: string }): string {
  const declared = file.type.toLowerCase();
  if (declared === "image/jpg") return "image/jpeg";
  if (declared && declared !== "application/octet-stream") return declared;
  return BY_EXTENSION[(file.name.split(".").pop() ?? "").toLowerCase()] ?? "application/octet-stream";
}

type Declared = Schemas["DocumentUpload"];

export async function uploadDocument(orderId: string, file: File, purpose: Declared["purpose"]): Promise<void> {
  const contentType = contentTypeOf(file);
  // A type the server does not take is sent as it is: the answer (422) says why.
  const declared: Declared = {
    kind: "document",
    purpose,
    filename: file.name,
    content_type: contentType as Declared["content_type"],
    size: file.size,
  };
  const slot = await ok(
    api.POST("/api/v1/orders/{order_id}/media", {
      params: { path: { order_id: orderId } },
      body: declared,
    }),
  );
  let put: Response;
  try {
    put = await fetch(slot.upload_url, { method: "PUT", headers: { "Content-Type": contentType }, body: file });
  } catch {
    throw new ApiError(0, null);
  }
  if (!put.ok) throw new ApiError(put.status, { detail: `upload failed (${put.status})`, code: "upload_failed" });
  await ok(api.POST("/api/v1/media/{media_id}/complete", { params: { path: { media_id: slot.media_id } } }));
}
