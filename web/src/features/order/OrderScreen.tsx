// The order card as the caller's role may see it: customer, where the order stands and what
// this role is asked for at this stage, deal terms (only when the server sends them), visits
// and tasks with measurement results, documents and photos with the upload form, the chat and
// the history, the dates (promised to the customer, the closing forecast). Commercial roles also
// edit the deal, the customer and the promised date and book visits here.
// Live: a `board` frame about this order re-reads the card (and its history and files); the
// chat follows its own `chat` frames. A re-read keeps what is being typed or uploaded: the
// components stay mounted, only their data changes.
import { useCallback, useEffect, useState, type ReactElement } from "react";
import { Link } from "wouter";
import { ApiError, api, ok } from "../../api/client";
import { errorText } from "../../app/errors";
import { audienceOf, may, useMay } from "../../app/roles";
import { common } from "../../i18n/common";
import { useApp } from "../../store/app";
import { Chat } from "../chat/Chat";
import { CustomerEditor } from "../customer/CustomerEditor";
import { SmsConsent } from "../customer/SmsConsent";
import { DealForm } from "../deal/DealForm";
import { DatesSection } from "../forecast/DatesSection";
import { MediaList } from "../media/MediaList";
import { m as mediaMessages } from "../media/messages";
import { UploadForm } from "../media/UploadForm";
import { CheckInOut, OnSiteTimes } from "../onsite/CheckInOut";
import { sendOnSite } from "../outbox/onsite";
import { SiteReview } from "../onsite/SiteReview";
import { m as taskMessages } from "../tasks/messages";
import { NewTaskDialog } from "../tasks/NewTaskDialog";
import { AsOf, type AskedMoment } from "./AsOf";
import { BookVisit } from "./BookVisit";
import { getOrder } from "./api";
import { useCrewNames } from "./crew";
import { since } from "./format";
import { History } from "./History";
import { useLiveRefetch } from "./live";
import { m } from "./messages";
import { CustomerSection, DealFacts, GateSection, WorkSection, type BoardCard, type OrderCard } from "./sections";
import "./order.css";

type Loaded = { card: OrderCard; board: BoardCard | null };

export function OrderScreen({ params }: { params: { id: string } }): ReactElement {
  const orderId = params.id;
  const t = m.use();
  const tc = common.use();
  const tm = mediaMessages.use();
  const lang = useApp((s) => s.lang);
  const role = useApp((s) => s.me?.role);
  const me = useApp((s) => s.me);
  const writesDeal = useMay("deal.write");
  const books = useMay("visits.book");
  const makesTasks = useMay("tasks.create");
  const tt = taskMessages.use();
  const toast = useApp((s) => s.toast);
  const [newTask, setNewTask] = useState(false);
  const [asked, setAsked] = useState<AskedMoment | null>(null);
  const names = useCrewNames();
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [error, setError] = useState<{ text: string; missing: boolean } | null>(null);
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((n) => n + 1), []);

  useEffect(() => {
    setLoaded(null);
    setError(null);
  }, [orderId]);

  useEffect(() => {
    const controller = new AbortController();
    const signal = controller.signal;
    const path = { order_id: orderId };
    Promise.all([
      getOrder(orderId, lang, signal),
      // The board card names the manager (the order card carries only their id).
      ok(api.GET("/api/v1/board/cards/{order_id}", { params: { path, query: { lang } }, signal })).catch(() => null),
    ])
      .then(([card, board]) => {
        setLoaded({ card, board });
        setError(null);
      })
      .catch((err: unknown) => {
        if (signal.aborted) return;
        const missing = err instanceof ApiError && (err.status === 404 || err.status === 422);
        setError({ text: missing ? m.in(lang)("order.not_found") : errorText(err, common.in(lang)), missing });
      });
    return () => controller.abort();
  }, [orderId, tick, lang]);

  useLiveRefetch(["board"], reload, orderId);

  const crumbs = (
    <p className="crumbs">
      <Link href="/board">← {t("order.back_to_board")}</Link>
      {audienceOf(role) === "field" ? (
        <>
          {" · "}
          <Link href="/tasks">{t("order.to_tasks")}</Link>
        </>
      ) : null}
    </p>
  );

  if (!loaded) {
    return (
      <div className="order-screen">
        {crumbs}
        {error ? (
          <div className="panel" role="alert">
            <p className="error">{error.text}</p>
            {error.missing ? null : (
              <button type="button" onClick={reload}>
                {tc("common.retry")}
              </button>
            )}
          </div>
        ) : (
          <p className="muted pad">{tc("common.loading")}</p>
        )}
      </div>
    );
  }

  const { card, board } = loaded;
  const refreshKey = `${card.version}:${tick}`;
  const fallbackMedia = [...(card.documents ?? []), ...(card.photos ?? [])];
  const stage = card.stage_title ?? card.stage;
  return (
    <div className="order-screen">
      {crumbs}
      <div className="order-head">
        <h1 className="view-title">
          {t("order.number", { n: card.number })} · {card.title}
        </h1>
        <span className={`stage-badge stage-${card.stage}`}>{stage}</span>
        {card.stage_entered_at ? (
          <span className="muted">{t("order.in_stage", { time: since(card.stage_entered_at, lang) })}</span>
        ) : null}
      </div>
      {error ? (
        <p className="banner" role="alert">
          {t("order.stale", { error: error.text })}{" "}
          <button type="button" onClick={reload}>
            {tc("common.retry")}
          </button>
        </p>
      ) : null}
      <div className="order-grid">
        <div className="col">
          <CustomerSection card={card} board={board}>
            <SmsConsent card={card} onSaved={reload} />
            {may(role, "customer.edit") ? (
              <details className="edit">
                <summary>{t("customer.edit")}</summary>
                <CustomerEditor orderId={card.id} onSaved={reload} />
              </details>
            ) : null}
          </CustomerSection>
          <DatesSection card={card} board={board} onSaved={reload} />
          <GateSection card={card} onChanged={reload} />
          {card.deal || writesDeal ? (
            <section className="panel" aria-labelledby="order-deal">
              <h2 id="order-deal">{t("deal.title")}</h2>
              {card.deal ? <DealFacts deal={card.deal} lang={lang} /> : <p className="muted">{t("deal.none")}</p>}
              {writesDeal ? (
                <details className="edit">
                  <summary>{t("deal.edit")}</summary>
                  <DealForm orderId={card.id} onSaved={reload} />
                </details>
              ) : null}
            </section>
          ) : null}
          <WorkSection
            card={card}
            names={names}
            lang={lang}
            visitExtra={(v) =>
              v.assignee_id === me?.id && v.status === "booked" ? (
                <CheckInOut visit={v} send={sendOnSite} onDone={reload} />
              ) : (
                <OnSiteTimes visit={v} />
              )
            }
          >
            {books || makesTasks ? (
              <div className="row wrap book-row">
                {books ? <BookVisit orderId={card.id} stage={card.stage} onBooked={reload} /> : null}
                {makesTasks ? (
                  <button type="button" onClick={() => setNewTask(true)}>
                    {tt("new.open")}
                  </button>
                ) : null}
              </div>
            ) : null}
          </WorkSection>
          {newTask ? (
            <NewTaskDialog
              orderId={card.id}
              orderLabel={t("order.number", { n: card.number })}
              onClose={() => setNewTask(false)}
              onCreated={() => {
                setNewTask(false);
                toast(tt("new.created"));
                reload();
              }}
            />
          ) : null}
          <section className="panel" aria-labelledby="order-media">
            <h2 id="order-media">{tm("media.title")}</h2>
            <SiteReview photos={card.photos ?? []} onChanged={reload} />
            <MediaList orderId={card.id} refreshKey={refreshKey} fallback={fallbackMedia} />
            <UploadForm orderId={card.id} stage={card.stage} onUploaded={reload} />
          </section>
        </div>
        <div className="col">
          <Chat orderId={card.id} />
          <AsOf orderId={card.id} asked={asked} />
          <History orderId={card.id} refreshKey={refreshKey} onAsOf={(at) => setAsked((had) => ({ at, n: (had?.n ?? 0) + 1 }))} />
        </div>
      </div>
    </div>
  );
}
