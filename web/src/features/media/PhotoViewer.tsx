// The full-size photo viewer of an order's gallery: yet-another-react-lightbox (kept up, small,
// accessible; arrows, swipe, Escape), rather than a hand-written carousel. It ships its CSS as a
// file bundled with ours and sets only style properties from script, so the CSP (style-src
// 'self', no inline <style>) holds. Its labels are translated here.
import type { ReactElement } from "react";
import Lightbox from "yet-another-react-lightbox";
import Captions from "yet-another-react-lightbox/plugins/captions";
import "yet-another-react-lightbox/styles.css";
import "yet-another-react-lightbox/plugins/captions.css";
import { m } from "./messages";

export type Photo = { src: string; alt: string; title?: string; description?: string };

type Props = { photos: Photo[]; index: number; onClose: () => void };

export function PhotoViewer({ photos, index, onClose }: Props): ReactElement {
  const t = m.use();
  return (
    <Lightbox
      open={index >= 0}
      index={Math.max(index, 0)}
      close={onClose}
      // The place among the photos goes with the caption (under the photo), not in a corner
      // of its own where it would sit on the title.
      slides={photos.map((photo, i) => ({
        ...photo,
        description: [t("viewer.position", { index: i + 1, total: photos.length }), photo.description]
          .filter(Boolean)
          .join(" · "),
      }))}
      plugins={[Captions]}
      // One photo: no wrap-around to itself, and no next/previous buttons.
      carousel={{ finite: photos.length <= 1 }}
      render={photos.length <= 1 ? { buttonPrev: () => null, buttonNext: () => null } : {}}
      controller={{ closeOnBackdropClick: true }}
      labels={{
        Previous: t("viewer.previous"),
        Next: t("viewer.next"),
        Close: t("viewer.close"),
        Lightbox: t("viewer.label"),
        "Photo gallery": t("viewer.gallery"),
        Carousel: t("viewer.carousel"),
        Slide: t("viewer.slide"),
        "{index} of {total}": t("viewer.position"),
        Caption: t("viewer.caption"),
        "Show captions": t("viewer.show_captions"),
        "Hide captions": t("viewer.hide_captions"),
      }}
    />
  );
}
