// «Включить уведомления на этом устройстве»: Web Push for this device, on the person's own
// request (a browser asks for permission only after a click). The lead places it in the
// notifications area; it needs nothing from the screen around it.
import { useEffect, useState, type ReactElement } from "react";
import {
  browserPush,
  disablePush,
  enablePush,
  pushState,
  type PushDeps,
  type PushProblem,
  type PushState,
} from "./push";
import { pm } from "./pushMessages";
import "./pushToggle.css";

const PROBLEM_KEYS = {
  denied: "push.denied",
  unsupported: "push.unsupported",
  no_worker: "push.no_worker",
  not_configured: "push.not_configured",
  failed: "push.failed",
} as const satisfies Record<PushProblem, string>;

export function PushToggle({ deps = browserPush }: { deps?: PushDeps }): ReactElement {
  const t = pm.use();
  const [state, setState] = useState<PushState | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    pushState(deps)
      .then((found) => live && setState(found))
      .catch(() => live && setState("off"));
    return () => {
      live = false;
    };
  }, [deps]);

  async function toggle(): Promise<void> {
    setBusy(true);
    const turningOff = state === "on";
    const result = turningOff ? await disablePush(deps) : await enablePush(deps);
    setBusy(false);
    if (result.ok) {
      setState(turningOff ? "off" : "on");
      setNote(t(turningOff ? "push.disabled" : "push.enabled"));
    } else {
      if (result.problem !== "failed") setState(result.problem === "not_configured" ? "off" : result.problem);
      setNote(t(PROBLEM_KEYS[result.problem]));
    }
  }

  const unusable = state === "unsupported";
  return (
    <div className="push-toggle">
      <button type="button" onClick={() => void toggle()} disabled={busy || state === null || unusable}>
        {t(state === "on" ? "push.disable" : "push.enable")}
      </button>
      <p role="status" className="push-toggle-note">
        {note ?? (state === "on" ? t("push.on") : unusable ? t("push.unsupported") : "")}
      </p>
    </div>
  );
}
