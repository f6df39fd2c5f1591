// Check-in and check-out through the outbox: the on-site button's `send` (features/onsite).
// Straight to the API when nothing waits in the outbox; queued (the same Idempotency-Key and
// the tap's own time, so a late send still says when the worker arrived) when there is no
// signal, or when earlier work still waits — nothing overtakes what was done before it.
import { ApiError } from "../../api/client";
import { useApp } from "../../store/app";
import { sendNow, type Send } from "../onsite/send";
import { m } from "./messages";
import { enqueue, flush, queuedCount } from "./outbox";
import { send } from "./send";

export const sendOnSite: Send = async (request) => {
  const path = `/api/v1/visits/${request.visitId}/${request.act}`;
  const label = m.in(useApp.getState().lang)(request.act === "check-in" ? "outbox.check_in" : "outbox.check_out");
  const queue = async (): Promise<null> => {
    await enqueue({ type: "request", key: request.idempotencyKey, label, method: "POST", path, body: request.body });
    void flush(send).catch(() => undefined);
    return null;
  };
  if ((await queuedCount()) > 0) return queue();
  try {
    return await sendNow(request);
  } catch (err) {
    if (err instanceof ApiError && (err.status === 0 || err.status >= 500)) return queue();
    throw err;
  }
};
