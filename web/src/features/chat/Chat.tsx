// The order's chat. `@username` mentions notify that colleague (the server parses them and
// decides who may be told); here they are highlighted, the writer sees whom the message will
// ping, and the reply's `not_notified` says who was not told and why. Ctrl/Cmd+Enter sends
// on a keyboard; on a phone the button does. New messages arrive live (`chat` frames).
import { useCallback, useEffect, useId, useLayoutEffect, useRef, useState, type FormEvent, type ReactElement } from "react";
import { api, ok, type Schemas } from "../../api/client";
import { errorText } from "../../app/errors";
import { common, type CommonKey } from "../../i18n/common";
import { useApp } from "../../store/app";
import { dateTime } from "../order/format";
import { useLiveRefetch } from "../order/live";
import { mentionedUsernames, notNotifiedText, splitMentions } from "./mentions";
import { m } from "./messages";
import "./chat.css";

type Comment = Schemas["Comment"];
const ROLES = ["manager", "measurer", "installer", "delivery", "production", "director", "admin"];

export function Chat({ orderId }: { orderId: string }): ReactElement {
  const t = m.use();
  const tc = common.use();
  const lang = useApp((s) => s.lang);
  const me = useApp((s) => s.me);
  const [comments, setComments] = useState<Comment[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [text, setText] = useState("");
  const [sendError, setSendError] = useState<string | null>(null);
  const [missed, setMissed] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  const list = useRef<HTMLOListElement>(null);
  const stick = useRef(true); // keep the newest message in view unless the reader scrolled up
  const formRef = useRef<HTMLFormElement>(null);
  const id = useId();

  useEffect(() => {
    const controller = new AbortController();
    ok(api.GET("/api/v1/orders/{order_id}/comments", { params: { path: { order_id: orderId } }, signal: controller.signal }))
      .then((found) => {
        const el = list.current;
        stick.current = !el || el.scrollTop + el.clientHeight >= el.scrollHeight - 8;
        setComments(found);
        setLoadError(null);
      })
      .catch((err: unknown) => {
        if (!controller.signal.aborted) setLoadError(errorText(err, common.in(lang)));
      });
    return () => controller.abort();
  }, [orderId, tick, lang]);

  useLayoutEffect(() => {
    const el = list.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [comments]);

  useLiveRefetch(["chat"], reload, orderId);

  async function send(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    const body = text.trim();
    if (!body || busy) return;
    setBusy(true);
    setSendError(null);
    setMissed(null);
    try {
      const posted = await ok(api.POST("/api/v1/orders/{order_id}/comments", { params: { path: { order_id: orderId } }, body: { text: body } }));
      setText("");
      setMissed(notNotifiedText(posted.not_notified, t));
      stick.current = true;
      reload();
    } catch (err) {
      setSendError(errorText(err, tc));
    } finally {
      setBusy(false);
    }
  }

  const mentioned = mentionedUsernames(text);
  const role = (r: string | null | undefined): string => (r && ROLES.includes(r) ? tc(`role.${r}` as CommonKey) : (r ?? ""));
  return (
    <section className="panel chat-panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t("chat.title")}</h2>
      {loadError ? (
        <p className="error" role="alert">
          {loadError}
        </p>
      ) : null}
      {!comments && !loadError ? <p className="muted">{tc("common.loading")}</p> : null}
      {comments ? (
        <ol className="chat" ref={list} aria-label={t("chat.messages")} tabIndex={0}>
          {comments.length ? (
            comments.map((c) => {
              const mine = Boolean(me && c.author.id === me.id);
              return (
                <li key={c.id} className={mine ? "mine" : undefined}>
                  <div className="muted small">
                    <strong>{c.author.username ?? "?"}</strong>
                    {mine ? ` (${t("chat.you")})` : ""} · {role(c.author.role)} · <time dateTime={c.at}>{dateTime(c.at, lang)}</time>
                  </div>
                  <div className="text">
                    {splitMentions(c.text).map((part, i) =>
                      part.mention ? (
                        <span key={i} className="mention">
                          {part.text}
                        </span>
                      ) : (
                        part.text
                      ),
                    )}
                  </div>
                </li>
              );
            })
          ) : (
            <li className="muted empty-chat">{t("chat.empty")}</li>
          )}
        </ol>
      ) : null}
      <form ref={formRef} className="chat-form" onSubmit={(e) => void send(e)}>
        <label htmlFor={`${id}-text`} className="visually-hidden">
          {t("chat.label")}
        </label>
        <textarea
          id={`${id}-text`}
          rows={2}
          maxLength={4000}
          placeholder={t("chat.placeholder")}
          value={text}
          aria-describedby={`${id}-hint`}
          aria-invalid={Boolean(sendError)}
          onChange={(e) => setText(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
              e.preventDefault();
              formRef.current?.requestSubmit();
            }
          }}
        />
        <button type="submit" className="primary" disabled={busy || !text.trim()}>
          {t("chat.send")}
        </button>
      </form>
      <p id={`${id}-hint`} className="muted small chat-hint">
        {mentioned.length ? t("chat.will_notify", { names: mentioned.map((u) => `@${u}`).join(", ") }) : t("chat.hint")}
      </p>
      {sendError ? (
        <p className="error" role="alert">
          {sendError}
        </p>
      ) : null}
      {missed ? (
        <p className="warn-note" role="status">
          {missed}
        </p>
      ) : null}
    </section>
  );
}
