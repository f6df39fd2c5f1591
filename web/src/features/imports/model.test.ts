import { describe, expect, it } from "vitest";
import openapi from "../../../../contracts/api/openapi.json";
import { ApiError } from "../../api/client";
import { m } from "./messages";
import {
  detailOf,
  documentOf,
  FileProblem,
  follow,
  initialChoices,
  JobFailed,
  kindOf,
  newsOf,
  nextMap,
  pastImports,
  percent,
  statusKey,
  problemOfError,
  suggest,
  summarize,
  userWhy,
  whyKey,
  withMap,
  WHY,
  type Job,
  type Report,
  type Stage,
} from "./model";

const ru = m.in("ru");
const en = m.in("en");
const stage = (key: string, title_ru: string, title_en: string, terminal = false): Stage => ({
  key,
  title_ru,
  title_en,
  terminal,
});
const STAGES: Stage[] = [
  stage("intake", "Заявка", "Intake"),
  stage("measurement", "Замер", "Measurement"),
  stage("contract", "Договор", "Contract"),
  stage("closed", "Закрыт", "Closed", true),
  stage("cancelled", "Отменён", "Cancelled", true),
];

function report(over: Partial<Report> = {}): Report {
  return {
    id: "00000000-0000-4000-8000-000000000001",
    dry_run: true,
    created: 0,
    updated: 0,
    unchanged: 0,
    skipped: [],
    unmapped_stages: [],
    unparseable_phones: [],
    unmatched_users: [],
    orders: [],
    ...over,
  };
}

describe("the report's codes in words", () => {
  it("has Russian and English words for every reason the contract says a deal is skipped", () => {
    const described = openapi.components.schemas.Skipped.properties.why.description;
    const codes = described.split(",").map((c) => c.trim());
    expect(codes.length).toBeGreaterThan(5);
    expect([...WHY].sort()).toEqual([...codes].sort());
    for (const code of codes) {
      const key = whyKey(code);
      expect(key).toBe(`why.${code}`);
      expect(ru(key)).toMatch(/[а-я]/);
      expect(en(key)).not.toBe(ru(key));
    }
    expect(ru(whyKey("no_phone"))).toBe("у контакта нет телефона");
  });

  it("says a reason it does not know as «another reason», not as a code", () => {
    expect(whyKey("cosmic_rays")).toBe("why.other");
    expect(ru(whyKey("cosmic_rays"))).toBe("другая причина");
  });

  it("details a skipped deal only where it adds to the reason", () => {
    expect(detailOf({ why: "unmapped_stage", detail: "stage 'Ждём оплату' is not in stage_map" })).toBe("«Ждём оплату»");
    expect(detailOf({ why: "unmapped_stage", detail: `history stage "Don't" is not in stage_map` })).toBe("«Don't»");
    expect(detailOf({ why: "no_contact", detail: "the deal has no contact (CONTACT_ID)" })).toBe("");
    expect(detailOf({ why: "phone_unparseable", detail: "contact 7: 12-34" })).toBe("contact 7: 12-34");
  });

  it("says why a responsible person has no user here, with the role when that is why", () => {
    expect(userWhy("not_found").key).toBe("user.not_found");
    expect(userWhy("not_in_users").key).toBe("user.not_in_users");
    const role = userWhy("role installer cannot manage orders");
    expect(role).toEqual({ key: "user.role", role: "installer" });
    expect(ru(role.key, { role: "installer" })).toContain("«installer»");
    expect(userWhy("something new").key).toBe("user.other");
  });
});

describe("the stage map", () => {
  it("suggests our stage of the same title or key, in either language, any case", () => {
    expect(suggest("Замер", STAGES)).toBe("measurement");
    expect(suggest(" ДОГОВОР ", STAGES)).toBe("contract");
    expect(suggest("measurement", STAGES)).toBe("measurement");
    expect(suggest("Intake", STAGES)).toBe("intake");
  });

  it("suggests closed for a won stage and cancelled for a lost one, by id or by the CSV's title", () => {
    expect(suggest("Сделка успешна", STAGES)).toBe("closed");
    expect(suggest("C2:WON", STAGES)).toBe("closed");
    expect(suggest("Сделка провалена", STAGES)).toBe("cancelled");
    expect(suggest("Анализ причины провала", STAGES)).toBe("cancelled");
    expect(suggest("C1:APOLOGY", STAGES)).toBe("cancelled");
  });

  it("suggests nothing for a stage it cannot tell: the admin chooses", () => {
    expect(suggest("Подготовка документов", STAGES)).toBe("");
    expect(suggest("C1:NEW", STAGES)).toBe("");
  });

  it("starts each unmapped stage from the admin's earlier choice, else the suggestion", () => {
    expect(initialChoices(["Замер", "Монтаж"], STAGES, { Монтаж: "contract" })).toEqual({
      Замер: "measurement",
      Монтаж: "contract",
    });
  });

  it("keeps the map it had and adds the chosen stages, leaving out those left unchosen", () => {
    const map = nextMap({ NEW: "intake" }, ["Замер", "Монтаж"], { Замер: "measurement", Монтаж: "", Other: "x" });
    expect(map).toEqual({ NEW: "intake", Замер: "measurement" });
  });

  it("sends the admin's map over the map the REST file brought", () => {
    const doc = documentOf(JSON.stringify({ deals: [{ ID: "1" }], stage_map: { NEW: "intake", PREP: "intake" } }));
    expect(withMap(doc, { PREP: "measurement" }).stage_map).toEqual({ NEW: "intake", PREP: "measurement" });
    expect(doc.stage_map).toEqual({ NEW: "intake", PREP: "intake" }); // the file's own is untouched
  });
});

describe("the chosen file", () => {
  it("is a CSV or a JSON export by its name", () => {
    expect(kindOf("Сделки.CSV")).toBe("csv");
    expect(kindOf("portal.json")).toBe("json");
    expect(kindOf("deals.xlsx")).toBeNull();
  });

  it("refuses a JSON file that does not parse or has no deals, saying which", () => {
    const problem = (text: string): string => {
      try {
        documentOf(text);
      } catch (err) {
        return err instanceof FileProblem ? err.key : "other";
      }
      return "none";
    };
    expect(problem("{deals")).toBe("file.not_json");
    expect(problem("[1, 2]")).toBe("file.not_export");
    expect(problem('{"contacts": []}')).toBe("file.not_export");
    expect(problem('{"deals": []}')).toBe("none");
  });
});

describe("the report in numbers", () => {
  it("counts skipped deals by reason, most frequent first", () => {
    const found = summarize(
      report({
        created: 3,
        skipped: [
          { id: "1", why: "no_phone", detail: "" },
          { id: "2", why: "unmapped_stage", detail: "" },
          { id: "3", why: "no_phone", detail: "" },
          { id: "4", why: "weird", detail: "" },
        ],
        unmapped_stages: ["Монтаж"],
      }),
    );
    expect(found.skipped).toBe(4);
    expect(found.byWhy).toEqual([
      { key: "why.no_phone", count: 2 },
      { key: "why.unmapped_stage", count: 1 },
      { key: "why.other", count: 1 },
    ]);
    expect(found.needsMap).toBe(true);
    expect(found.nothingNew).toBe(false);
  });

  it("says a second run creates nothing: all unchanged", () => {
    const found = summarize(report({ dry_run: false, unchanged: 200 }));
    expect([found.created, found.updated, found.unchanged, found.nothingNew]).toEqual([0, 0, 200, true]);
  });

  it("lists created then updated orders, not the unchanged ones", () => {
    const order = (deal_id: string, action: "created" | "updated" | "unchanged") => ({
      deal_id,
      action,
      order_id: null,
      stage: "intake",
      changes: [],
    });
    const found = newsOf(report({ orders: [order("1", "unchanged"), order("2", "updated"), order("3", "created")] }));
    expect(found.map((o) => o.deal_id)).toEqual(["3", "2"]);
  });

  it("lists past imports without the checks, each status in words", () => {
    const base = { id: "x", kind: "bitrix24", done: 0, total: 0 };
    const jobs: Job[] = [
      { ...base, id: "check", dry_run: true, status: "done" },
      { ...base, id: "real", dry_run: false, status: "failed" },
    ];
    expect(pastImports(jobs).map((j) => j.id)).toEqual(["real"]);
    for (const status of ["running", "done", "failed", "interrupted"] as const) {
      expect(ru(statusKey(status))).toMatch(/[а-я]/);
    }
  });

  it("shows a long import's progress as a whole percent", () => {
    expect(percent({ done: 50, total: 200 })).toBe(25);
    expect(percent({ done: 1, total: 3 })).toBe(33);
    expect(percent({ done: 0, total: 0 })).toBe(0);
  });
});

describe("an import's failure, as the admin reads it", () => {
  const said = (err: unknown): string | null => {
    const p = problemOfError(err);
    return p ? ru(p.key, { ...p.params, detail: p.detail ?? "" }) : null;
  };

  it("a conflict: nothing imported, run it again", () => {
    const err = new ApiError(409, { code: "import_conflict", detail: "another import ..." });
    expect(said(err)).toContain("запустите импорт ещё раз");
    expect(said(new JobFailed("import_conflict", "x"))).toContain("Ничего не импортировано");
  });

  it("a CSV without the stage column names the column and what the file has", () => {
    const err = new ApiError(422, {
      code: "invalid_import",
      detail: "the CSV has no column «Стадия сделки» (found: ID, Название сделки)",
    });
    expect(said(err)).toBe(
      "В файле нет столбца «Стадия сделки». Найдены столбцы: ID, Название сделки. Выгрузите сделки из Битрикс24 заново.",
    );
  });

  it("a deal twice, a stage map to a stage we no longer have", () => {
    expect(said(new ApiError(422, { detail: "deal 7 appears twice in deals" }))).toBe("Сделка 7 встречается в файле дважды.");
    const gone = "stage_map names stages this pipeline does not have: varnish (known: intake, closed)";
    expect(said(new ApiError(422, { detail: gone }))).toContain(": varnish.");
  });

  it("a file over the limit says to split it; another 422 passes the server's words on", () => {
    expect(said(new ApiError(413, { code: "too_large", detail: "request body too large" }))).toContain("Разделите");
    expect(said(new ApiError(422, { detail: "deals: Field required" }))).toBe("Файл не подошёл: deals: Field required");
  });

  it("leaves the network and access to the app's common words", () => {
    expect(problemOfError(new ApiError(0, null))).toBeNull();
    expect(problemOfError(new ApiError(403, { code: "forbidden" }))).toBeNull();
  });
});

describe("following a long import", () => {
  const job = (over: Partial<Job>): Job => ({
    id: "j1",
    kind: "bitrix24",
    dry_run: false,
    status: "running",
    done: 0,
    total: 200,
    ...over,
  });

  it("asks for the job until it is done, telling each step, and answers its report", async () => {
    const replies = [job({ done: 100 }), job({ status: "done", done: 200, report: report({ created: 200 }) })];
    const seen: number[] = [];
    const asked: string[] = [];
    const found = await follow(
      job({}),
      async (id) => {
        asked.push(id);
        return replies.shift() as Job;
      },
      (j) => seen.push(j.done),
      undefined,
      async () => undefined,
    );
    expect(found.created).toBe(200);
    expect(seen).toEqual([0, 100, 200]);
    expect(asked).toEqual(["j1", "j1"]);
  });

  it("throws the failed job's error, nothing kept", async () => {
    const failed = job({ status: "failed", error: { code: "import_conflict", detail: "run it again" } });
    await expect(follow(failed, async () => failed, () => undefined)).rejects.toEqual(
      new JobFailed("import_conflict", "run it again"),
    );
  });

  it("says an import whose server process ended was interrupted, nothing kept", async () => {
    const gone = job({ status: "interrupted", error: { code: "import_interrupted", detail: "run it again" } });
    const err = await follow(gone, async () => gone, () => undefined).catch((e: unknown) => e);
    expect(err).toEqual(new JobFailed("import_interrupted", "run it again"));
    const p = problemOfError(err);
    expect(p && ru(p.key)).toContain("Ничего не записано");
    // An older server's job without its error says the same from its status.
    const bare = await follow(job({ status: "interrupted" }), async () => job({}), () => undefined).catch((e: unknown) => e);
    expect(bare).toEqual(new JobFailed("import_interrupted", ""));
  });

  it("stops when the admin leaves the screen", async () => {
    const controller = new AbortController();
    const pending = follow(job({}), async () => job({}), () => undefined, controller.signal, async () => controller.abort());
    await expect(pending).rejects.toThrow("left");
  });
});
