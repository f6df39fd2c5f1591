// What supplies each unmet gate condition, so the gate dialog can offer it right there: a
// document upload, the deal terms, the customer's details, booking a visit, marking production
// finished — or, when the visit is booked and only the crew can finish it, a line saying so.
// Known codes (DOMAIN.md) first; a condition a director added to the pipeline is read from its
// kind and params (the order card's gate lists them).
import type { VisitKind } from "../calendar/BookingPanel";

export type { VisitKind };
export const VISIT_KINDS: readonly VisitKind[] = ["measurement", "delivery", "installation", "rework"];

export type Unmet = {
  code: string;
  message: string;
  message_en?: string | null;
  kind?: string | null;
  params?: Record<string, string> | null;
};

export type Supplier =
  | { type: "upload"; purposes: string[] }
  | { type: "deal" }
  | { type: "customer" }
  /** `settles`: booking meets the condition itself (…_not_booked), not just starts it. */
  | { type: "booking"; kind: VisitKind; settles: boolean }
  | { type: "crew"; kind: VisitKind }
  | { type: "production" }
  | { type: "none" };

/** The documents an order starts with: what "at least one document" asks for. */
export const DOCUMENT_PURPOSES = ["requirements", "contract_draft", "calculation", "other"];

/** The stages that begin with a visit, and its kind: moving there offers booking it at once. */
export const STAGE_VISIT: Readonly<Record<string, VisitKind>> = {
  measurement: "measurement",
  shipment_prep: "delivery",
  installation: "installation",
  rework: "rework",
};

const isVisitKind = (text: string | undefined | null): text is VisitKind =>
  Boolean(text) && (VISIT_KINDS as readonly string[]).includes(text as string);

function visit(kind: VisitKind, mustBeDone: boolean, booked: ReadonlySet<string>): Supplier {
  if (mustBeDone && booked.has(kind)) return { type: "crew", kind };
  return { type: "booking", kind, settles: !mustBeDone };
}

function byCode(code: string, booked: ReadonlySet<string>): Supplier | null {
  switch (code) {
    case "customer_incomplete":
      return { type: "customer" };
    case "documents_missing":
      return { type: "upload", purposes: DOCUMENT_PURPOSES };
    case "signed_contract_missing":
      return { type: "upload", purposes: ["signed_contract"] };
    case "deal_terms_missing":
      return { type: "deal" };
    case "production_not_finished":
      return { type: "production" };
    case "measurement_results_missing":
      return { type: "upload", purposes: ["measurement"] };
  }
  const [, kind, what] = /^(\w+?)_(not_booked|not_done|photos_missing)$/.exec(code) ?? [];
  if (!isVisitKind(kind)) return null;
  if (what === "photos_missing") return { type: "upload", purposes: [kind] };
  return visit(kind, what === "not_done", booked);
}

function byKind(condition: Unmet, booked: ReadonlySet<string>): Supplier {
  const params = condition.params ?? {};
  switch (condition.kind) {
    case "customer_complete":
      return { type: "customer" };
    case "deal_terms":
      return { type: "deal" };
    case "production_finished":
      return { type: "production" };
    case "measurement_results":
      return { type: "upload", purposes: ["measurement"] };
    case "media_attached":
      if (params.purpose) return { type: "upload", purposes: [params.purpose] };
      return { type: "upload", purposes: params.kind === "photo" ? ["other"] : DOCUMENT_PURPOSES };
    case "visit_booked":
      return isVisitKind(params.visit_kind) ? visit(params.visit_kind, false, booked) : { type: "none" };
    case "visit_task_done":
      return isVisitKind(params.visit_kind) ? visit(params.visit_kind, true, booked) : { type: "none" };
    default:
      return { type: "none" };
  }
}

/** Capabilities each supplier needs (roles.ts names); an upload needs one of its purposes'. */
export type Allowed = (capability: string) => boolean;

/**
 * The supplier of one unmet condition. `booked`: the visit kinds the order has booked (not
 * cancelled). `allowed` says what the caller may do: a supplier they may not use is "none".
 */
export function supplierFor(condition: Unmet, booked: ReadonlySet<string>, allowed: Allowed = () => true): Supplier {
  const supplier = byCode(condition.code, booked) ?? byKind(condition, booked);
  switch (supplier.type) {
    case "upload": {
      const purposes = supplier.purposes.filter((p) => allowed(`media.attach.${p}`));
      return purposes.length ? { type: "upload", purposes } : { type: "none" };
    }
    case "deal":
      return allowed("deal.write") ? supplier : { type: "none" };
    case "customer":
      return allowed("customer.edit") ? supplier : { type: "none" };
    case "booking":
      return allowed("visits.book") ? supplier : { type: "crew", kind: supplier.kind };
    case "production":
      return allowed("production.finish") ? supplier : { type: "none" };
    default:
      return supplier;
  }
}

/** The dialog can do something about it. */
export const canSupply = (s: Supplier): boolean => s.type !== "crew" && s.type !== "none";

/** Once supplied, the condition should hold (so a retried move is expected to pass it). */
export const settles = (s: Supplier): boolean => canSupply(s) && (s.type !== "booking" || s.settles);

/** One panel per distinct supplier: two conditions met by the same thing share it. */
export function supplierKey(s: Supplier): string {
  switch (s.type) {
    case "upload":
      return `upload:${s.purposes.join(",")}`;
    case "booking":
    case "crew":
      return `${s.type}:${s.kind}`;
    default:
      return s.type;
  }
}
