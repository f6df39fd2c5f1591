import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../../api/client";
import { useApp, type Me } from "../../store/app";
import { ImportScreen } from "./ImportScreen";
import type { Job, Report, Source, StageMap } from "./model";

// The screen's two ways out: the pipeline's stages (read once) and the import's calls.
vi.mock("../../api/client", async (original) => ({
  ...(await original<typeof import("../../api/client")>()),
  api: {
    GET: vi.fn(async (path: string, init?: { params?: { path?: { import_id?: string } } }) => ({
      data:
        path === "/api/v1/imports"
          ? { imports: past }
          : path === "/api/v1/imports/{import_id}"
            ? past.find((j) => j.id === init?.params?.path?.import_id)
            : PIPELINE,
      response: new Response(null, { status: 200 }),
    })),
  },
}));
const PIPELINE = {
  version: 1,
  forward: {},
  stages: [
    { key: "intake", title_ru: "Оформление заказа", title_en: "Intake", terminal: false },
    { key: "measurement", title_ru: "Замер", title_en: "Measurement", terminal: false },
    { key: "contract", title_ru: "Заключение сделки", title_en: "Contract", terminal: false },
    { key: "closed", title_ru: "Закрытие", title_en: "Closed", terminal: true },
    { key: "cancelled", title_ru: "Отказ", title_en: "Cancelled", terminal: true },
  ],
};
let past: Job[] = [];
type Call = { source: Source; map: StageMap; dryRun: boolean };
const calls: Call[] = [];
let answer: (call: Call, onProgress: (job: Job) => void) => Promise<Report>;
vi.mock("./calls", () => ({
  runImport: (source: Source, map: StageMap, dryRun: boolean, onProgress: (job: Job) => void) => {
    const call = { source, map, dryRun };
    calls.push(call);
    return answer(call, onProgress);
  },
}));

const ADMIN = { id: "a1", username: "admin", display_name: "Администратор", role: "admin" } as Me;
const CSV = new File(["ID;Стадия сделки\n1;Замер\n2;Ждём оплату\n"], "сделки.csv", { type: "text/csv" });

function report(over: Partial<Report>): Report {
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
const order = (deal_id: string, stage: string, order_id: string | null = null) => ({
  deal_id,
  action: "created" as const,
  order_id,
  stage,
  changes: [],
});

/** The server's answers as the admin's steps make them: unmapped stages until both are mapped. */
function portal(call: Call): Promise<Report> {
  const unmapped = ["Замер", "Ждём оплату"].filter((s) => !call.map[s]);
  const mapped = Object.keys(call.map).length;
  const orders = mapped === 2 ? [order("1", "measurement", call.dryRun ? null : "o-1"), order("2", "contract", call.dryRun ? null : "o-2")] : [];
  return Promise.resolve(
    report({
      dry_run: call.dryRun,
      created: orders.length,
      orders,
      unmapped_stages: unmapped,
      skipped: unmapped.map((s, i) => ({ id: String(i + 1), why: "unmapped_stage", detail: `stage '${s}'` })),
    }),
  );
}

beforeEach(() => {
  calls.length = 0;
  answer = portal;
  past = [];
  useApp.setState({ me: ADMIN, lang: "ru" });
});
afterEach(cleanup);

async function chooseFile(file: File = CSV): Promise<void> {
  const input = await screen.findByLabelText("Файл выгрузки Битрикс24 (.csv или .json)");
  fireEvent.change(input, { target: { files: [file] } });
}

describe("the import wizard", () => {
  it("checks the file at once, has the admin confirm the suggested stage and choose the other, then imports with that map", async () => {
    render(<ImportScreen />);
    await chooseFile();
    const known = await screen.findByLabelText("Этап Битрикс24 «Замер»");
    expect(calls).toEqual([{ source: expect.objectContaining({ kind: "csv" }), map: {}, dryRun: true }]);
    expect((known as HTMLSelectElement).value).toBe("measurement"); // suggested by its title
    const own = screen.getByLabelText("Этап Битрикс24 «Ждём оплату»") as HTMLSelectElement;
    expect(own.value).toBe("");
    expect(screen.getByRole("button", { name: "Импортировать" })).toHaveProperty("disabled", true);
    expect(screen.getAllByText("этап не сопоставлен с нашим")).toHaveLength(2);

    fireEvent.change(own, { target: { value: "contract" } });
    fireEvent.click(screen.getByRole("button", { name: "Проверить снова" }));
    await waitFor(() => expect(screen.queryByLabelText("Этап Битрикс24 «Замер»")).toBeNull());
    expect(calls[1]?.map).toEqual({ Замер: "measurement", "Ждём оплату": "contract" });
    expect(screen.getByText("Импорт создаст 2 и обновит 0 заказов. Повторный импорт того же файла ничего не задвоит.")).toBeTruthy();

    fireEvent.click(screen.getByRole("button", { name: "Импортировать" }));
    await screen.findByRole("heading", { name: "Готово: импорт выполнен" });
    expect(calls[2]).toMatchObject({ map: { Замер: "measurement", "Ждём оплату": "contract" }, dryRun: false });
    const link = screen.getByRole("link", { name: "Открыть заказ (сделка 2)" });
    expect(link.getAttribute("href")).toBe("#/order/o-2");
  });

  it("shows a long import's progress, done of total, until its report comes", async () => {
    answer = (call, onProgress) => {
      if (call.dryRun) return Promise.resolve(report({ created: 200 }));
      onProgress({ id: "j", kind: "bitrix24", dry_run: false, status: "running", done: 50, total: 200 });
      return new Promise(() => undefined); // still running
    };
    render(<ImportScreen />);
    await chooseFile();
    fireEvent.click(await screen.findByRole("button", { name: "Импортировать" }));
    const bar = await screen.findByRole("progressbar", { name: "Ход импорта" });
    expect(bar.getAttribute("value")).toBe("50");
    expect(bar.getAttribute("max")).toBe("200");
    expect(screen.getByText("Импортируем… Не закрывайте страницу. Импортировано 50 из 200 (25%)")).toBeTruthy();
  });

  it("says a conflict plainly and lets the admin run the import again", async () => {
    let refused = true;
    answer = (call) => {
      if (call.dryRun) return Promise.resolve(report({ created: 1, orders: [order("1", "intake")] }));
      if (refused) {
        refused = false;
        return Promise.reject(new ApiError(409, { code: "import_conflict", detail: "run it again" }));
      }
      return Promise.resolve(report({ dry_run: false, created: 1, orders: [order("1", "intake", "o-1")] }));
    };
    render(<ImportScreen />);
    await chooseFile();
    fireEvent.click(await screen.findByRole("button", { name: "Импортировать" }));
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("Ничего не импортировано — запустите импорт ещё раз.");
    fireEvent.click(screen.getByRole("button", { name: "Импортировать" }));
    await screen.findByRole("heading", { name: "Готово: импорт выполнен" });
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("says why the server refused the file, and offers the picker again", async () => {
    answer = () =>
      Promise.reject(
        new ApiError(422, { code: "invalid_import", detail: "the CSV has no column «Стадия сделки» (found: ID, Название сделки)" }),
      );
    render(<ImportScreen />);
    await chooseFile();
    expect((await screen.findByRole("alert")).textContent).toContain("В файле нет столбца «Стадия сделки». Найдены столбцы: ID, Название сделки.");
    expect(screen.getByLabelText("Файл выгрузки Битрикс24 (.csv или .json)")).toBeTruthy();
    expect(screen.queryByText(/Файл: /)).toBeNull();
  });

  it("refuses a file that is no export before sending anything", async () => {
    render(<ImportScreen />);
    await chooseFile(new File(["x"], "deals.xlsx"));
    expect((await screen.findByRole("alert")).textContent).toContain("Нужен файл .csv или .json");
    await chooseFile(new File(["{deals"], "portal.json"));
    await waitFor(() => expect(screen.getByRole("alert").textContent).toContain("не читается как JSON"));
    await chooseFile(new File(["x".repeat(1024 * 1024 + 1)], "big.csv"));
    await waitFor(() => expect(screen.getByRole("alert").textContent).toContain("Разделите выгрузку на части"));
    expect(calls).toEqual([]);
  });

  it("sends a REST export as its JSON, and reads a dropped file like a picked one", async () => {
    render(<ImportScreen />);
    const zone = (await screen.findByText("Перетащите файл сюда")).closest(".imp-drop") as HTMLElement;
    const json = new File([JSON.stringify({ deals: [{ ID: "1" }], stage_map: { NEW: "intake" } })], "portal.json");
    fireEvent.drop(zone, { dataTransfer: { files: [json] } });
    await waitFor(() => expect(calls).toHaveLength(1));
    const source = calls[0]?.source;
    expect(source?.kind === "json" ? source.document.stage_map : null).toEqual({ NEW: "intake" });
    const counts = await screen.findByLabelText("Итог");
    expect(within(counts).getByText("Будет создано заказов")).toBeTruthy();
  });

  it("is not offered to a role without the import", () => {
    useApp.setState({ me: { ...ADMIN, role: "manager" } });
    render(<ImportScreen />);
    expect(screen.getByText("Импорт из Битрикс24 запускает администратор.")).toBeTruthy();
  });

  it("lists past imports, not checks, and opens the report of one", async () => {
    const at = "2026-11-30T09:15:00Z";
    const base = { kind: "bitrix24", started_by: "admin", started_at: at, done: 3, total: 3 };
    past = [
      { ...base, id: "i3", dry_run: true, status: "done" },
      { ...base, id: "i2", dry_run: false, status: "interrupted", done: 1, total: 200 },
      { ...base, id: "i1", dry_run: false, status: "done", report: report({ dry_run: false, created: 3 }) },
    ];
    render(<ImportScreen />);
    const list = await screen.findByRole("region", { name: "Прошлые импорты" });
    await waitFor(() => expect(within(list).getAllByRole("row")).toHaveLength(3)); // a head, two imports
    expect(within(list).getByText("прерван, ничего не записано")).toBeTruthy();
    expect(within(list).getByText("1 из 200")).toBeTruthy();
    fireEvent.click(within(list).getByRole("button", { name: /^Показать отчёт/ }));
    const counts = await screen.findByLabelText("Итог");
    expect(within(counts).getByText("Создано заказов").nextSibling?.textContent).toBe("3");
  });
});
