import { describe, expect, it } from "vitest";
import { addStage, diff, draftOf, gateCatalogue, moveStage, newKeyProblem, problemsOf, removeStage, requestOf, setForward, setStage, staying, type Pipeline } from "./model";

const gate = (code: string, message_ru: string) => ({ code, kind: "visit_task_done", params: {}, message_ru, message_en: code });
const stage = (key: string, title_ru: string, extra: object = {}) => ({ key, title_ru, title_en: key, limit_hours: 24, terminal: false, gate: [], ...extra });
const v1: Pipeline = {
  version: 1,
  stages: [
    stage("intake", "Оформление"),
    stage("production", "Производство", { gate: [gate("production_not_finished", "Производство не завершено")] }),
    stage("shipment_prep", "Подготовка к отгрузке"),
    stage("rework", "Доработка", { gate: [gate("rework_not_done", "Доработка не выполнена")] }),
    stage("closed", "Закрытие", { limit_hours: null, terminal: true }),
    stage("cancelled", "Отказ", { limit_hours: null, terminal: true }),
  ],
  forward: { intake: ["production"], production: ["shipment_prep"], shipment_prep: ["rework", "closed"], rework: ["closed"] },
};

describe("editing a pipeline", () => {
  it("puts an added stage in the path of the one it follows", () => {
    const d = addStage(draftOf(v1), "production", { key: "varnishing", title_ru: "Лакировка", title_en: "Varnishing" });
    expect(d.stages.map((s) => s.key)).toEqual(["intake", "production", "varnishing", "shipment_prep", "rework", "closed", "cancelled"]);
    expect(d.forward).toEqual({ intake: ["production"], production: ["varnishing"], varnishing: ["shipment_prep"], shipment_prep: ["rework", "closed"], rework: ["closed"] });
  });

  it("passes a removed stage's moves on to those who led to it", () => {
    const d = removeStage(draftOf(v1), "rework");
    expect(d.forward.shipment_prep).toEqual(["closed"]);
    expect("rework" in d.forward).toBe(false);
  });

  it("drops a move a reorder turns backwards, and only offers forward moves", () => {
    const d = moveStage(draftOf(v1), 3, -1); // rework before shipment_prep
    expect(d.stages.map((s) => s.key).slice(0, 4)).toEqual(["intake", "production", "rework", "shipment_prep"]);
    expect(d.forward.shipment_prep).toEqual(["closed"]);
    expect(d.forward.rework).toEqual(["closed"]);
    expect(setForward(d, "shipment_prep", "rework", true).forward.shipment_prep).toEqual(["closed"]);
    expect(setForward(d, "intake", "closed", true).forward.intake).toEqual(["production", "closed"]);
  });

  it("refuses empty titles, a limit that is not positive and a bad new key", () => {
    const d = setStage(setStage(draftOf(v1), "production", { title_ru: " ", limit: "0" }), "closed", { limit: "" });
    expect(problemsOf(d)).toEqual({ "production.title_ru": "required", "production.limit": "limit" });
    expect(newKeyProblem(d, "Varnish")).toBe("key_pattern");
    expect(newKeyProblem(d, "rework")).toBe("key_taken");
    expect(newKeyProblem(d, "varnishing")).toBeNull();
  });

  it("sends limits as hours or null and offers each gate code once", () => {
    const body = requestOf(setStage(draftOf(v1), "intake", { limit: "36.5" }));
    expect(body.stages[0]?.limit_hours).toBe(36.5);
    expect(body.stages[4]?.limit_hours).toBeNull();
    expect(gateCatalogue(v1).map((g) => g.code)).toEqual(["production_not_finished", "rework_not_done"]);
  });
});

describe("the preview of a new version", () => {
  it("lists what is added, removed and changed, not stages that only shifted", () => {
    let d = addStage(draftOf(v1), "production", { key: "varnishing", title_ru: "Лакировка", title_en: "Varnishing" });
    d = removeStage(d, "rework");
    d = setStage(d, "shipment_prep", { title_ru: "Упаковка", limit: "48", gate: [gate("rework_not_done", "Доработка не выполнена")] });
    const changes = diff(v1, requestOf(d));
    expect(changes).toEqual([
      {
        kind: "changed",
        key: "production",
        title_ru: "Производство",
        title_en: "production",
        details: [{ field: "forward", from: ["shipment_prep"], to: ["varnishing"] }],
      },
      { kind: "added", key: "varnishing", title_ru: "Лакировка", title_en: "Varnishing", position: 3 },
      {
        kind: "changed",
        key: "shipment_prep",
        title_ru: "Упаковка",
        title_en: "shipment_prep",
        details: [
          { field: "title_ru", from: "Подготовка к отгрузке", to: "Упаковка" },
          { field: "limit_hours", from: 24, to: 48 },
          { field: "gate_added", code: "rework_not_done", message_ru: "Доработка не выполнена", message_en: "rework_not_done" },
          { field: "forward", from: ["rework", "closed"], to: ["closed"] },
        ],
      },
      { kind: "removed", key: "rework", title_ru: "Доработка", title_en: "rework" },
    ]);
  });

  it("says a real move and nothing for an unchanged version", () => {
    expect(diff(v1, requestOf(draftOf(v1)))).toEqual([]);
    const moved = diff(v1, requestOf(moveStage(draftOf(v1), 3, -1)));
    expect(moved.map((c) => (c.kind === "changed" ? [c.key, c.details.map((x) => x.field)] : c.kind))).toEqual([
      ["rework", ["position"]],
      ["shipment_prep", ["position", "forward"]],
    ]);
  });

  it("counts the open orders that stay on the current version and older ones", () => {
    const counts = [
      { version: 1, open_orders: 4 },
      { version: 2, open_orders: 7 },
      { version: 3, open_orders: 2 },
    ];
    expect(staying(counts, 3)).toEqual({ current: 2, older: 11 });
    expect(staying([], 1)).toEqual({ current: 0, older: 0 });
  });
});
