// Attach files to an order: a purpose (only those the server lets this role attach, narrowed
// by `purposes`), then "take a photo" (the rear camera on a phone) or "choose a file". Each
// file shows its progress; a refusal says why in words. `onUploaded` runs after each file is
// verified (status "ready"), e.g. to refresh the card whose gate it may now meet.
//
// Uploads are not aborted when the form unmounts: they are the user's commands, not data the
// screen shows, and a field worker who opens another screen mid-upload still wants the photo
// kept; the outcome then goes to a toast, which outlives the form.
import { useEffect, useId, useMemo, useRef, useState, type ChangeEvent, type ReactElement } from "react";
import { common } from "../../i18n/common";
import { useApp } from "../../store/app";
import { Field } from "../../ui/Field";
import { uploadErrorText } from "./errors";
import { CameraIcon, ClipIcon } from "./icons";
import { ACCEPT_ANY, ACCEPT_IMAGES, defaultPurpose, offeredPurposes, takesPhotos, type Allowed } from "./kinds";
import { m, purposeLabel } from "./messages";
import { useAllowedPurposes } from "./purposes";
import { uploadFile, type Step } from "./upload";
import "./media.css";

export type UploadFormProps = {
  orderId: string;
  purposes?: string[];
  onUploaded?: () => void;
  /** The order's stage, to preselect the purpose a worker most likely means (optional). */
  stage?: string;
};

type Line = { id: number; name: string; state: "active" | "ok" | "error"; text: string; pct: number | null };

let lineSeq = 0;

export function UploadForm({ orderId, purposes, onUploaded, stage }: UploadFormProps): ReactElement | null {
  const t = m.use();
  const tc = common.use();
  const role = useApp((s) => s.me?.role);
  const allowed = useAllowedPurposes();
  const offered = useMemo(() => (allowed ? offeredPurposes(allowed, purposes) : []), [allowed, purposes]);
  const [chosen, setChosen] = useState<string>("");
  const [lines, setLines] = useState<Line[]>([]);
  const mounted = useRef(true);
  const uid = useId();
  const latest = useRef(onUploaded);
  useEffect(() => {
    latest.current = onUploaded;
  });
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const purpose = offered.includes(chosen as never) ? chosen : (defaultPurpose(offered, role, stage) ?? "");

  if (!allowed) return null;
  if (!offered.length) return null; // this role attaches nothing here

  const setLine = (id: number, patch: Partial<Line>): void => {
    if (mounted.current) setLines((all) => all.map((line) => (line.id === id ? { ...line, ...patch } : line)));
  };

  const stepText = (step: Step): string => {
    switch (step.step) {
      case "requesting":
        return t("media.requesting");
      case "uploading":
        return step.pct ? t("media.progress", { pct: step.pct }) : t("media.uploading");
      case "waiting_network":
        return t("media.waiting_network");
      case "retrying":
        return t("media.retrying", { n: step.n, max: step.max, s: step.s });
      case "checking":
        return t("media.checking");
      case "busy":
        return t("media.busy_wait", { s: step.s });
    }
  };

  async function start(files: File[], forPurpose: string, from: Allowed): Promise<void> {
    const toast = useApp.getState().toast;
    let done = 0;
    for (const file of files) {
      const id = ++lineSeq;
      if (mounted.current) {
        // The last few lines are enough; files go one after another, so only the newest is active.
        setLines((all) => [...all, { id, name: file.name, state: "active" as const, text: t("media.requesting"), pct: null }].slice(-8));
      }
      try {
        await uploadFile(orderId, file, forPurpose, from, (step) =>
          setLine(id, { text: stepText(step), pct: step.step === "uploading" ? step.pct : null }),
        );
        setLine(id, { state: "ok", text: t("media.uploaded"), pct: null });
        done += 1;
        latest.current?.();
      } catch (err) {
        const why = uploadErrorText(err, t, tc);
        setLine(id, { state: "error", text: why, pct: null });
        toast(`${t("media.failed", { name: file.name })}: ${why}`, "error");
      }
    }
    if (done && done === files.length) toast(t("media.all_uploaded", { n: done }), "info");
  }

  const picked = (event: ChangeEvent<HTMLInputElement>): void => {
    const files = [...(event.currentTarget.files ?? [])];
    event.currentTarget.value = ""; // the same photo may be picked again after a failure
    if (files.length && allowed) void start(files, purpose, allowed);
  };

  const camera = takesPhotos(allowed, purpose);
  const photosOnly = camera && !allowed.document.includes(purpose);
  return (
    <div className="upload-form">
      {offered.length > 1 ? (
        <Field label={t("media.purpose")}>
          {(props) => (
            <select {...props} value={purpose} onChange={(e) => setChosen(e.currentTarget.value)}>
              {offered.map((p) => (
                <option key={p} value={p}>
                  {purposeLabel(p, t)}
                </option>
              ))}
            </select>
          )}
        </Field>
      ) : (
        <p className="muted small">{t("media.purpose_fixed", { purpose: purposeLabel(purpose, t) })}</p>
      )}
      <div className="upload-buttons">
        {camera ? (
          <>
            <input
              id={`${uid}-camera`}
              type="file"
              accept={ACCEPT_IMAGES}
              capture="environment"
              className="visually-hidden"
              onChange={picked}
            />
            <label htmlFor={`${uid}-camera`} className="button primary">
              <CameraIcon /> {t("media.take_photo")}
            </label>
          </>
        ) : null}
        <input
          id={`${uid}-file`}
          type="file"
          multiple
          accept={photosOnly ? ACCEPT_IMAGES : ACCEPT_ANY}
          className="visually-hidden"
          onChange={picked}
        />
        <label htmlFor={`${uid}-file`} className={camera ? "button" : "button primary"}>
          <ClipIcon /> {t("media.choose_file")}
        </label>
      </div>
      <ul className="upload-status" aria-live="polite" aria-label={t("media.uploads")}>
        {lines.map((line) => (
          <li key={line.id} className={line.state}>
            <span className="upload-name">{line.name}</span>
            {" — "}
            <span>{line.text}</span>
            {line.pct !== null ? (
              <progress max={100} value={line.pct} aria-label={t("media.progress_label", { name: line.name })} />
            ) : null}
          </li>
        ))}
      </ul>
    </div>
  );
}
