// Deal terms (amount, decor, finishing, extra work, payment terms) for commercial roles (the
// agreed interface: <DealForm orderId onSaved />). Reads the current deal and the order's
// version (GET /orders/{id}), saves with expected_version (PUT /orders/{id}/deal). A conflict
// is said in place and the form re-reads, so it shows what the server holds; the user's own
// values can be put back on top in one click. A 422 puts each message under its field.
import { useCallback, useMemo, useState, type FormEvent, type ReactElement } from "react";
import { ApiError, api, ok, type Schemas } from "../../api/client";
import { errorText } from "../../app/errors";
import { common } from "../../i18n/common";
import { useApp, type Lang } from "../../store/app";
import { Field } from "../../ui/Field";
import { useFocusFirstInvalid } from "../customer/focus";
import { fieldErrors } from "../customer/formErrors";
import { useErrorWords } from "../customer/messages";
import { OrderLoading } from "../order/OrderLoading";
import { useOrderRead } from "../order/useOrderRead";
import { editableAmount, parseAmount } from "./amount";
import { m } from "./messages";
import "./deal.css";

export type DealFormProps = {
  orderId: string;
  onSaved?: () => void;
  /** Show the form's own heading (off when the surrounding dialog already names it). */
  heading?: boolean;
};

const TEXTS = ["decor", "finishing", "extra_work", "payment_terms"] as const;
type Values = { amount: string } & Record<(typeof TEXTS)[number], string>;

function valuesOf(deal: Schemas["Deal"] | null | undefined, lang: Lang): Values {
  return {
    amount: deal ? editableAmount(deal.amount, lang) : "",
    decor: deal?.decor ?? "",
    finishing: deal?.finishing ?? "",
    extra_work: deal?.extra_work ?? "",
    payment_terms: deal?.payment_terms ?? "",
  };
}

export function DealForm({ orderId, onSaved, heading = true }: DealFormProps): ReactElement {
  const t = m.use();
  const words = useErrorWords();
  const lang = useApp((s) => s.lang);
  // Stable for the language: effects that depend on it must not re-run on every render
  // (a re-read would overwrite what the user is typing).
  const tc = useMemo(() => common.in(lang), [lang]);
  const toast = useApp((s) => s.toast);
  const [version, setVersion] = useState<number | null>(null);
  const [values, setValues] = useState<Values | null>(null);
  const [recorded, setRecorded] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [lost, setLost] = useState<Values | null>(null);
  const [busy, setBusy] = useState(false);
  const { formRef, focusFirstInvalid } = useFocusFirstInvalid();

  const took = useCallback(
    (order: Schemas["OrderCard"]) => {
      setVersion(order.version);
      setValues(valuesOf(order.deal, lang));
      setRecorded(Boolean(order.deal));
    },
    [lang],
  );

  const { read, failure, setFailure } = useOrderRead(orderId, took);

  async function save(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    if (!values || version === null) return;
    setFailure(null);
    const amount = parseAmount(values.amount);
    const problems: Record<string, string> = {};
    if (!values.amount.trim()) problems.amount = words.required;
    else if (!amount) problems.amount = t("deal.amount_invalid");
    if (!values.payment_terms.trim()) problems.payment_terms = words.required;
    setErrors(problems);
    if (Object.keys(problems).length || !amount) {
      focusFirstInvalid();
      return;
    }
    setBusy(true);
    try {
      const order = await ok(
        api.PUT("/api/v1/orders/{order_id}/deal", {
          params: { path: { order_id: orderId } },
          body: {
            amount,
            decor: values.decor.trim(),
            finishing: values.finishing.trim(),
            extra_work: values.extra_work.trim(),
            payment_terms: values.payment_terms.trim(),
            expected_version: version,
          },
        }),
      );
      took(order);
      setLost(null);
      toast(t("deal.saved"));
      onSaved?.();
    } catch (err) {
      if (err instanceof ApiError && err.code === "version_conflict") {
        setLost(values);
        await read();
      } else {
        const fields = fieldErrors(err, { ...words, number: t("deal.amount_invalid") });
        setErrors(fields);
        if (!Object.keys(fields).length) setFailure(errorText(err, tc));
        else focusFirstInvalid();
      }
    } finally {
      setBusy(false);
    }
  }

  if (!values) {
    return <OrderLoading failure={failure} onRetry={() => void read()} />;
  }

  const set = (key: keyof Values) => (e: { currentTarget: { value: string } }) => {
    setValues({ ...values, [key]: e.currentTarget.value });
    setErrors((had) => {
      if (!(key in had)) return had;
      const { [key]: _gone, ...rest } = had;
      return rest;
    });
  };
  return (
    <form ref={formRef} className="deal-form" onSubmit={(e) => void save(e)} noValidate aria-label={t("deal.title")} data-version={version ?? undefined}>
      {heading ? <h3>{t("deal.title")}</h3> : null}
      {recorded ? null : <p className="small muted">{t("deal.none_yet")}</p>}
      {lost ? (
        <div className="conflict" role="alert">
          <p>{t("deal.conflict")}</p>
          <button
            type="button"
            onClick={() => {
              setValues(lost);
              setLost(null);
            }}
          >
            {t("deal.restore")}
          </button>
        </div>
      ) : null}
      <Field label={t("deal.amount")} error={errors.amount} hint={t("deal.amount_hint")}>
        {(aria) => (
          <input {...aria} name="amount" inputMode="decimal" autoComplete="off" required value={values.amount} onChange={set("amount")} />
        )}
      </Field>
      {TEXTS.map((key) => (
        <Field key={key} label={t(`deal.${key}`)} error={errors[key]}>
          {(aria) => (
            <textarea
              {...aria}
              name={key}
              rows={2}
              required={key === "payment_terms"}
              value={values[key]}
              onChange={set(key)}
            />
          )}
        </Field>
      ))}
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy}>
          {t("deal.save")}
        </button>
      </div>
      {failure ? (
        <p className="error form-note" role="alert">
          {failure}
        </p>
      ) : null}
    </form>
  );
}
