// Photos «не подтверждено на объекте» on the order card (issue 15): flagged for everyone who
// sees them; a manager confirms (the photo then counts for its gate) or rejects (it never
// counts). The verdict is the card's `site_check`, computed by the orders service.
import { useState, type ReactElement } from "react";
import { api, ok, type Schemas } from "../../api/client";
import { errorText } from "../../app/errors";
import { useMay } from "../../app/roles";
import { common } from "../../i18n/common";
import { useApp } from "../../store/app";
import { m } from "./messages";
import "./onsite.css";

type Photo = Schemas["MediaRef"];

export function SiteReview({ photos, onChanged }: { photos: Photo[]; onChanged: () => void }): ReactElement | null {
  const t = m.use();
  const tc = common.use();
  const reviews = useMay("media.review");
  const toast = useApp((s) => s.toast);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const waiting = photos.filter((p) => p.site_check === "not_confirmed_on_site");
  if (!waiting.length) return null;

  async function decide(mediaId: string, decision: "confirm" | "reject"): Promise<void> {
    setBusy(mediaId);
    setError(null);
    try {
      await ok(api.POST("/api/v1/media/{media_id}/review", { params: { path: { media_id: mediaId } }, body: { decision } }));
      toast(t(decision === "confirm" ? "onsite.confirmed" : "onsite.rejected"));
      onChanged();
    } catch (err) {
      setError(errorText(err, tc));
    } finally {
      setBusy(null);
    }
  }

  return (
    <div className="site-review" role="group" aria-labelledby="site-review-title">
      <h3 id="site-review-title">{t("onsite.review_title")}</h3>
      <p className="muted small">{t("onsite.review_hint")}</p>
      <ul className="plain">
        {waiting.map((p) => (
          <li key={p.media_id} className="site-flagged">
            <span className="flag">{t("onsite.not_confirmed")}</span> {p.filename}
            {reviews ? (
              <span className="row">
                <button type="button" className="primary" disabled={busy !== null} onClick={() => void decide(p.media_id, "confirm")}>
                  {t("onsite.confirm")}
                </button>
                <button type="button" disabled={busy !== null} onClick={() => void decide(p.media_id, "reject")}>
                  {t("onsite.reject")}
                </button>
              </span>
            ) : null}
          </li>
        ))}
      </ul>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
