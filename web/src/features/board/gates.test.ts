import { describe, expect, it } from "vitest";
import { DOCUMENT_PURPOSES, canSupply, settles, supplierFor, supplierKey } from "./gates";

const none = new Set<string>();
const u = (code: string, extra: object = {}) => ({ code, message: code, ...extra });

describe("supplierFor", () => {
  it("maps each known code to what supplies it", () => {
    expect(supplierFor(u("documents_missing"), none)).toEqual({ type: "upload", purposes: DOCUMENT_PURPOSES });
    expect(supplierFor(u("signed_contract_missing"), none)).toEqual({ type: "upload", purposes: ["signed_contract"] });
    expect(supplierFor(u("deal_terms_missing"), none)).toEqual({ type: "deal" });
    expect(supplierFor(u("customer_incomplete"), none)).toEqual({ type: "customer" });
    expect(supplierFor(u("production_not_finished"), none)).toEqual({ type: "production" });
    expect(supplierFor(u("measurement_results_missing"), none)).toEqual({ type: "upload", purposes: ["measurement"] });
    expect(supplierFor(u("installation_photos_missing"), none)).toEqual({ type: "upload", purposes: ["installation"] });
  });

  it("offers booking a visit of the condition's kind until one is booked, then says the crew must finish it", () => {
    expect(supplierFor(u("measurement_not_done"), none)).toEqual({ type: "booking", kind: "measurement", settles: false });
    expect(supplierFor(u("measurement_not_done"), new Set(["measurement"]))).toEqual({ type: "crew", kind: "measurement" });
    expect(supplierFor(u("delivery_not_booked"), none)).toEqual({ type: "booking", kind: "delivery", settles: true });
    expect(supplierFor(u("delivery_not_done"), new Set(["delivery"]))).toEqual({ type: "crew", kind: "delivery" });
    expect(supplierFor(u("installation_not_done"), none)).toMatchObject({ type: "booking", kind: "installation" });
    expect(supplierFor(u("rework_not_done"), new Set(["measurement"]))).toMatchObject({ type: "booking", kind: "rework" });
  });

  it("reads a condition a director added from its kind and params", () => {
    expect(supplierFor(u("passport_copy", { kind: "media_attached", params: { kind: "document", purpose: "other" } }), none)).toEqual({ type: "upload", purposes: ["other"] });
    expect(supplierFor(u("x", { kind: "visit_task_done", params: { visit_kind: "delivery" } }), none)).toMatchObject({ type: "booking", kind: "delivery" });
    expect(supplierFor(u("y", { kind: "something_new" }), none)).toEqual({ type: "none" });
    expect(supplierFor(u("z"), none)).toEqual({ type: "none" });
  });

  it("offers nothing the caller may not do", () => {
    const onlyOther = (c: string) => c === "media.attach.other";
    expect(supplierFor(u("documents_missing"), none, onlyOther)).toEqual({ type: "upload", purposes: ["other"] });
    expect(supplierFor(u("deal_terms_missing"), none, () => false)).toEqual({ type: "none" });
    expect(supplierFor(u("measurement_not_done"), none, () => false)).toEqual({ type: "crew", kind: "measurement" });
  });
});

describe("what supplying does", () => {
  it("knows which suppliers settle their condition and which only start it", () => {
    expect(settles({ type: "deal" })).toBe(true);
    expect(settles({ type: "booking", kind: "delivery", settles: true })).toBe(true);
    expect(settles({ type: "booking", kind: "measurement", settles: false })).toBe(false);
    expect(canSupply({ type: "booking", kind: "measurement", settles: false })).toBe(true);
    expect(canSupply({ type: "crew", kind: "measurement" })).toBe(false);
    expect(supplierKey({ type: "upload", purposes: ["a", "b"] })).toBe("upload:a,b");
  });
});
