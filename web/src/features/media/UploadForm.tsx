// Attach a file to an order (owned by the field-screens work; this is its agreed interface).
// `purposes` narrows what the picker offers (e.g. ["signed_contract"] from a gate dialog);
// the list is further narrowed to what GET /api/v1/media/purposes says the caller may attach.
import type { ReactElement } from "react";

export type UploadFormProps = {
  orderId: string;
  purposes?: string[];
  onUploaded?: () => void;
};

export function UploadForm(_props: UploadFormProps): ReactElement {
  return <p className="muted">…</p>;
}
