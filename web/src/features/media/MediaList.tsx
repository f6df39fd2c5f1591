// The order's documents and photos: a gallery of thumbnails that open a viewer (the full
// photo, next/previous by button, arrow keys or swipe, Escape closes), documents as links that
// open or download them. The links are presigned and short-lived, so the list is re-read
// whenever the card is (`refreshKey`). When the listing is not deployed (404), the card's own
// refs are shown without links.
import { useEffect, useState, type ReactElement } from "react";
import { ApiError, api, ok, type Schemas } from "../../api/client";
import { errorText } from "../../app/errors";
import { common } from "../../i18n/common";
import { useApp } from "../../store/app";
import { bytes, dateTime } from "../order/format";
import { CameraIcon, DocIcon } from "./icons";
import { PhotoViewer } from "./PhotoViewer";
import { m, purposeLabel } from "./messages";
import "./media.css";

type Item = Pick<Schemas["MediaItem"], "media_id" | "kind" | "purpose" | "filename"> &
  Partial<Pick<Schemas["MediaItem"], "download_url" | "thumbnail_url" | "taken_at" | "size">>;

type Props = { orderId: string; refreshKey?: unknown; fallback?: Item[] };

export function MediaList({ orderId, refreshKey, fallback }: Props): ReactElement {
  const t = m.use();
  const tc = common.use();
  const lang = useApp((s) => s.lang);
  const [items, setItems] = useState<Item[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  // The photo open in the viewer, by its place among the viewable photos; -1: closed.
  const [viewing, setViewing] = useState(-1);

  useEffect(() => {
    const controller = new AbortController();
    ok(api.GET("/api/v1/orders/{order_id}/media", { params: { path: { order_id: orderId } }, signal: controller.signal }))
      .then((found) => {
        setItems(found);
        setError(null);
      })
      .catch((err: unknown) => {
        if (controller.signal.aborted) return;
        if (err instanceof ApiError && err.status === 404 && fallback) setItems(fallback);
        else setError(errorText(err, common.in(lang)));
      });
    return () => controller.abort();
    // `fallback` is the card's copy: re-read with the card (refreshKey), not on its identity.
  }, [orderId, refreshKey, lang]);

  if (error) return <p className="error">{error}</p>;
  if (!items) return <p className="muted">{tc("common.loading")}</p>;
  if (!items.length) return <p className="muted">{t("media.none")}</p>;
  const photos = items.filter((item) => item.kind === "photo");
  const documents = items.filter((item) => item.kind !== "photo");
  const caption = (photo: Item): string =>
    [purposeLabel(photo.purpose, t), dateTime(photo.taken_at, lang)].filter(Boolean).join(" · ");
  // Only a photo with a link can be shown full size; the others stay as placeholders.
  const viewable = photos.filter((photo) => photo.download_url);
  return (
    <div className="media-list">
      {photos.length ? (
        <ul className="thumbs gallery">
          {photos.map((photo) => {
            const src = photo.thumbnail_url ?? photo.download_url;
            const image = src ? (
              <img src={src} alt="" loading="lazy" />
            ) : (
              <span className="thumb-placeholder">
                <CameraIcon />
              </span>
            );
            const place = viewable.indexOf(photo);
            return (
              <li key={photo.media_id}>
                <figure className="thumb">
                  {place >= 0 ? (
                    <button
                      type="button"
                      className="thumb-open"
                      onClick={() => setViewing(place)}
                      aria-label={t("media.view", { name: photo.filename || t("media.photo") })}
                    >
                      {image}
                    </button>
                  ) : (
                    image
                  )}
                  <figcaption>{caption(photo)}</figcaption>
                </figure>
              </li>
            );
          })}
        </ul>
      ) : null}
      <PhotoViewer
        photos={viewable.map((photo) => ({
          src: photo.download_url ?? "",
          alt: photo.filename || t("media.photo"),
          title: photo.filename,
          description: caption(photo),
        }))}
        index={viewing}
        onClose={() => setViewing(-1)}
      />
      {documents.length ? (
        <ul className="docs">
          {documents.map((doc) => (
            <li key={doc.media_id}>
              <DocIcon />
              {doc.download_url ? (
                <>
                  <a href={doc.download_url} target="_blank" rel="noopener">
                    {doc.filename || t("media.document")}
                  </a>{" "}
                  <a
                    href={doc.download_url}
                    download={doc.filename || true}
                    className="small"
                    aria-label={t("media.download_named", { name: doc.filename || t("media.document") })}
                  >
                    {t("media.download")}
                  </a>
                </>
              ) : (
                <span>{doc.filename || t("media.document")}</span>
              )}
              <span className="muted small">
                {" · "}
                {purposeLabel(doc.purpose, t)}
                {doc.size ? ` · ${bytes(doc.size, lang)}` : ""}
              </span>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
