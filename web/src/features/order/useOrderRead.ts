// A form over one order (the customer editor, the deal terms) reads the card when it mounts,
// and again on demand: after a 409 or when the user asks to retry. The fresh card goes to the
// form's `took`; a failed read is said in `failure`, which the form's own save errors share
// (one message line under the form), hence `setFailure` too.
import { useCallback, useEffect, useMemo, useState } from "react";
import { isAbort, type Schemas } from "../../api/client";
import { errorText } from "../../app/errors";
import { common } from "../../i18n/common";
import { useApp } from "../../store/app";
import { getOrder } from "./api";

export type OrderRead = {
  /** Read the card again; resolves once it was taken or the failure was set. */
  read: (signal?: AbortSignal) => Promise<void>;
  failure: string | null;
  setFailure: (failure: string | null) => void;
};

/** `took` must be stable (useCallback): a new one re-reads the card over what the user typed. */
export function useOrderRead(orderId: string, took: (order: Schemas["OrderCard"]) => void): OrderRead {
  const lang = useApp((s) => s.lang);
  // Stable for the language, for the same reason as `took`.
  const tc = useMemo(() => common.in(lang), [lang]);
  const [failure, setFailure] = useState<string | null>(null);

  const read = useCallback(
    async (signal?: AbortSignal): Promise<void> => {
      try {
        took(await getOrder(orderId, lang, signal));
        setFailure(null);
      } catch (err) {
        if (isAbort(err)) return;
        setFailure(errorText(err, tc));
      }
    },
    [orderId, lang, took, tc],
  );

  useEffect(() => {
    const controller = new AbortController();
    void read(controller.signal);
    return () => controller.abort();
  }, [read]);

  return { read, failure, setFailure };
}
