// The file step: a zone to drop the export on, with the ordinary file picker inside it (the
// picker is the way on a phone and by keyboard; dropping is the quick way at a desk).
import { useId, useState, type DragEvent, type ReactElement } from "react";
import { m } from "./messages";

export function FilePicker({ onFile, disabled }: { onFile: (file: File) => void; disabled: boolean }): ReactElement {
  const t = m.use();
  const id = useId();
  const [over, setOver] = useState(false);

  function dropped(event: DragEvent<HTMLDivElement>): void {
    event.preventDefault();
    setOver(false);
    const file = event.dataTransfer.files[0];
    if (file && !disabled) onFile(file);
  }

  return (
    <div
      className={over ? "imp-drop over" : "imp-drop"}
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={dropped}
    >
      <p className="imp-drop-title" aria-hidden="true">
        {t("file.drop")}
      </p>
      <p className="muted small imp-drop-or" aria-hidden="true">
        {t("file.or")}
      </p>
      <label htmlFor={id} className="button primary">
        {t("file.pick")}
      </label>
      <input
        id={id}
        type="file"
        className="visually-hidden"
        accept=".csv,.json,text/csv,application/json"
        aria-label={t("file.label")}
        disabled={disabled}
        onChange={(e) => {
          const file = e.currentTarget.files?.[0];
          e.currentTarget.value = ""; // the same file picked again is a new choice
          if (file) onFile(file);
        }}
      />
      <ul className="muted small imp-help">
        <li>{t("file.help_csv")}</li>
        <li>{t("file.help_json")}</li>
      </ul>
    </div>
  );
}
