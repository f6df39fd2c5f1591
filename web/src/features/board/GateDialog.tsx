// A move refused because the stage's gate is not met: every unmet condition, each with the
// thing that supplies it right here — an upload, the deal terms, the customer's details,
// booking the visit, marking production finished — or a line saying the crew must finish it.
// Once everything the dialog can supply has been supplied it retries the move by itself
// (waiting briefly for the order to learn of an upload or a booking, which reach it as
// events), and the screen closes it on success; otherwise it shows what remains.
import { useCallback, useEffect, useMemo, useRef, useState, type ReactElement } from "react";
import { ApiError, api, isAbort, ok, type Schemas } from "../../api/client";
import { errorText } from "../../app/errors";
import { may, type Capability } from "../../app/roles";
import { common, type CommonKey } from "../../i18n/common";
import { useApp } from "../../store/app";
import { Dialog } from "../../ui/Dialog";
import { BookingPanel } from "../calendar/BookingPanel";
import { CustomerEditor } from "../customer/CustomerEditor";
import { DealForm } from "../deal/DealForm";
import { UploadForm } from "../media/UploadForm";
import { getOrder } from "../order/api";
import { canSupply, settles, supplierFor, supplierKey, type Supplier, type Unmet } from "./gates";
import { m } from "./messages";
import type { MoveResult } from "./moves";

type Props = {
  orderId: string;
  number: number;
  toTitle: string;
  fromTitle: string;
  unmet: Unmet[];
  /** Move again with this version; the screen closes the dialog when it succeeds. */
  retry: (version: number | undefined) => Promise<MoveResult>;
  onClose: () => void;
};

type Group = { key: string; supplier: Supplier; conditions: Unmet[] };

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function GateDialog({ orderId, number, toTitle, fromTitle, unmet: initial, retry, onClose }: Props): ReactElement {
  const t = m.use();
  const lang = useApp((s) => s.lang);
  // Stable for the language: effects that depend on it must not re-run on every render
  // (a re-read would overwrite what the user is typing).
  const tc = useMemo(() => common.in(lang), [lang]);
  const role = useApp((s) => s.me?.role);
  const [order, setOrder] = useState<Schemas["OrderCard"] | null>(null);
  const [unmet, setUnmet] = useState<Unmet[]>(initial);
  const [supplied, setSupplied] = useState<ReadonlySet<string>>(new Set());
  const [status, setStatus] = useState<"idle" | "retrying" | "still">("idle");
  const [failure, setFailure] = useState<string | null>(null);
  const alive = useRef(true);
  useEffect(() => () => void (alive.current = false), []);

  const readOrder = useCallback((signal?: AbortSignal) => getOrder(orderId, lang, signal), [orderId, lang]);

  useEffect(() => {
    const controller = new AbortController();
    readOrder(controller.signal)
      .then(setOrder)
      .catch((err: unknown) => {
        if (!isAbort(err)) setFailure(errorText(err, tc));
      });
    return () => controller.abort();
  }, [readOrder, tc]);

  const groups = useMemo((): Group[] => {
    const booked = new Set((order?.visits ?? []).filter((v) => v.status !== "cancelled").map((v) => v.kind));
    const allowed = (capability: string): boolean => may(role, capability as Capability);
    const byKey = new Map<string, Group>();
    for (const condition of unmet) {
      // The order's gate names each condition's kind and params, in the user's language.
      const known = order?.gate?.unmet.find((c) => c.code === condition.code);
      const full: Unmet = {
        ...condition,
        ...(known ? { kind: known.kind, params: known.params, message: known.message } : {}),
        message: known?.message ?? (lang === "en" && condition.message_en ? condition.message_en : condition.message),
      };
      const supplier = order ? supplierFor(full, booked, allowed) : ({ type: "none" } as Supplier);
      const key = order ? supplierKey(supplier) : `loading:${condition.code}`;
      const group = byKey.get(key);
      if (group) group.conditions.push(full);
      else byKey.set(key, { key, supplier, conditions: [full] });
    }
    return [...byKey.values()];
  }, [unmet, order, role, lang]);

  const tryAgain = useCallback(async (): Promise<void> => {
    setStatus("retrying");
    setFailure(null);
    // What was supplied should now hold; the order learns of uploads and bookings as events,
    // so give it a few seconds before moving (instead of a refusal that is only late).
    const expected = groups
      .filter((g) => supplied.has(g.key) && settles(g.supplier))
      .flatMap((g) => g.conditions.map((c) => c.code));
    let fresh: Schemas["OrderCard"] | null = null;
    for (let attempt = 0; attempt < 15 && alive.current; attempt++) {
      try {
        fresh = await readOrder();
      } catch {
        break;
      }
      const still = new Set((fresh.gate?.unmet ?? []).map((c) => c.code));
      if (!expected.some((code) => still.has(code))) break;
      await sleep(400);
    }
    if (!alive.current) return;
    if (fresh) setOrder(fresh);
    let result = await retry(fresh?.version);
    if (!result.ok && result.error instanceof ApiError && result.error.code === "version_conflict") {
      // Changed between our read and the move (a robot, a colleague): once more, freshly.
      const again = await readOrder().catch(() => null);
      if (again) setOrder(again);
      result = await retry(again?.version);
    }
    if (!alive.current || result.ok) return;
    const err = result.error;
    if (err instanceof ApiError && err.code === "gate_unmet" && Array.isArray(err.body.unmet)) {
      setUnmet(err.body.unmet as Unmet[]);
      setSupplied(new Set());
      setStatus("still");
    } else {
      setFailure(errorText(err, tc));
      setStatus("idle");
    }
  }, [groups, supplied, readOrder, retry, tc]);

  const done = useCallback((key: string) => {
    setSupplied((had) => new Set(had).add(key));
    // Visits and documents changed: the next decision (booking or crew) needs them.
    void readOrder()
      .then((fresh) => alive.current && setOrder(fresh))
      .catch(() => undefined);
  }, [readOrder]);

  // Everything this dialog can supply is supplied: move without being asked.
  const suppliable = groups.filter((g) => canSupply(g.supplier));
  const allSupplied = suppliable.length > 0 && suppliable.every((g) => supplied.has(g.key));
  const autoTried = useRef("");
  useEffect(() => {
    const mark = [...supplied].sort().join("|");
    if (!allSupplied || status === "retrying" || autoTried.current === mark) return;
    autoTried.current = mark;
    void tryAgain();
  }, [allSupplied, supplied, status, tryAgain]);

  const wide = groups.some((g) => g.supplier.type === "booking" || g.supplier.type === "customer");
  return (
    <Dialog open title={t("gate.title", { stage: toTitle })} onClose={onClose} wide={wide}>
      <div className="gate" data-gate-order={orderId} data-status={status}>
        <p>{status === "still" ? t("gate.still") : t("gate.intro", { n: number, from: fromTitle })}</p>
        <ul className="gate-list">
          {groups.map((group) => (
            <li
              key={group.key}
              className={`gate-item${supplied.has(group.key) ? " supplied" : ""}`}
              data-codes={group.conditions.map((c) => c.code).join(" ")}
              data-supplier={group.supplier.type}
            >
              <h3 className="gate-what">
                {group.conditions.map((c) => c.message).join("; ")}
                {supplied.has(group.key) ? <span className="gate-done"> ✓ {t("gate.supplied")}</span> : null}
              </h3>
              {supplied.has(group.key) || !order ? null : (
                <Supply orderId={orderId} supplier={group.supplier} onDone={() => done(group.key)} />
              )}
            </li>
          ))}
        </ul>
        {!order && !failure ? <p className="muted">{t("gate.loading_order")}</p> : null}
        {failure ? (
          <p className="error" role="alert">
            {failure}
          </p>
        ) : null}
        <div className="dialog-actions">
          <button type="button" className="primary" disabled={status === "retrying"} onClick={() => void tryAgain()}>
            {t("gate.retry")}
          </button>
          <a className="button" href={`#/order/${orderId}`}>
            {t("gate.open_order")}
          </a>
          <button type="button" onClick={onClose}>
            {tc("common.close")}
          </button>
          {status === "retrying" ? (
            <span className="muted" role="status">
              {t("gate.retrying")}
            </span>
          ) : null}
        </div>
      </div>
    </Dialog>
  );
}

function Supply({ orderId, supplier, onDone }: { orderId: string; supplier: Supplier; onDone: () => void }): ReactElement {
  const t = m.use();
  const tc = common.use();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const kindName = (kind: string): string => tc(`kind.${kind}` as CommonKey);
  switch (supplier.type) {
    case "upload":
      return <UploadForm orderId={orderId} purposes={supplier.purposes} onUploaded={onDone} />;
    case "deal":
      return <DealForm orderId={orderId} heading={false} onSaved={onDone} />;
    case "customer":
      return <CustomerEditor orderId={orderId} manager={false} onSaved={onDone} />;
    case "booking":
      return (
        <div className="gate-booking">
          <p className="small muted">{t("gate.book", { kind: kindName(supplier.kind) })}</p>
          <BookingPanel orderId={orderId} kind={supplier.kind} onBooked={onDone} />
        </div>
      );
    case "crew":
      return <p className="muted">{t("gate.crew", { kind: kindName(supplier.kind) })}</p>;
    case "production":
      return (
        <div className="row wrap">
          <button
            type="button"
            disabled={busy}
            onClick={() => {
              setBusy(true);
              setError(null);
              ok(api.POST("/api/v1/orders/{order_id}/production/finished", { params: { path: { order_id: orderId } } }))
                .then(onDone)
                .catch((err: unknown) => setError(errorText(err, tc)))
                .finally(() => setBusy(false));
            }}
          >
            {t("gate.production_finished")}
          </button>
          {error ? (
            <span className="error" role="alert">
              {error}
            </span>
          ) : null}
        </div>
      );
    default:
      return <p className="muted">{t("gate.elsewhere")}</p>;
  }
}
