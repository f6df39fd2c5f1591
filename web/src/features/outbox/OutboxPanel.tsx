// The queue as the crew member sees it: each item with its state — waiting for network,
// sending n %, sent, or refused with the server's reason and a way to retry or discard it.
import { useId, type ReactElement } from "react";
import { useApp } from "../../store/app";
import { m } from "./messages";
import { discard, flush, retry } from "./outbox";
import { send } from "./send";
import type { OutboxItem } from "./store";
import { useOutbox } from "./useOutbox";
import "./outbox.css";

function stateText(item: OutboxItem, t: ReturnType<typeof m.use>): string {
  if (item.state === "sending") return t("outbox.sending", { pct: item.progress ?? 0 });
  if (item.state === "sent") return t("outbox.sent");
  if (item.state === "refused") return t("outbox.refused");
  return t("outbox.waiting");
}

export function OutboxPanel(): ReactElement | null {
  const t = m.use();
  const id = useId();
  const confirmDiscard = (item: OutboxItem): boolean => window.confirm(t("outbox.discard_confirm", { label: item.label }));
  const { items, signIn } = useOutbox();
  const online = useApp((s) => s.online);
  if (!items.length && !signIn) return null;
  const queued = items.filter((i) => i.state !== "sent").length;
  return (
    <section className="panel outbox" aria-labelledby={`${id}-title`}>
      <div className="row spread">
        <h2 id={`${id}-title`}>
          {t("outbox.title")} <span className="count-pill">{queued ? t("outbox.count", { n: queued }) : t("outbox.empty")}</span>
        </h2>
        {queued && online ? (
          <button type="button" onClick={() => void flush(send)}>
            {t("outbox.send_now")}
          </button>
        ) : null}
      </div>
      {signIn ? (
        <p className="error" role="alert">
          {t("outbox.sign_in")}
        </p>
      ) : null}
      <ul className="outbox-items">
        {[...items].reverse().map((item) => (
          <li key={item.seq} className={`outbox-item state-${item.state}`} data-state={item.state}>
            <span className="outbox-label">{item.label}</span>
            <span className="outbox-state">{stateText(item, t)}</span>
            {item.state === "sending" ? (
              <progress max={100} value={item.progress ?? 0} aria-label={stateText(item, t)} />
            ) : null}
            {item.state === "refused" ? (
              <>
                <span className="outbox-reason">{item.refusal?.message}</span>
                <span className="row wrap">
                  <button type="button" onClick={() => void retry(item.seq ?? -1).then(() => flush(send))}>
                    {t("outbox.retry")}
                  </button>
                  <button
                    type="button"
                    className="link danger-link"
                    onClick={() => {
                      if (confirmDiscard(item)) void discard(item.seq ?? -1);
                    }}
                  >
                    {t("outbox.discard")}
                  </button>
                </span>
              </>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
