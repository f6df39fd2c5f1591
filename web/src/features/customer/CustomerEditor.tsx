// Edit the customer and reassign the manager from the order card, with the card's version
// (the agreed interface: <CustomerEditor orderId onSaved />). A save sends only what changed
// (PATCH /orders/{id}/customer); a conflict is said in place, the form then shows the fresh
// read, and the user's own values can be put back on top of it in one click.
import { useCallback, useMemo, useState, type FormEvent, type ReactElement } from "react";
import { ApiError, api, ok, type Schemas } from "../../api/client";
import { errorText } from "../../app/errors";
import { useMay } from "../../app/roles";
import { common } from "../../i18n/common";
import { useApp } from "../../store/app";
import { OrderLoading } from "../order/OrderLoading";
import { useOrderRead } from "../order/useOrderRead";
import { CustomerFields } from "./CustomerFields";
import {
  addressText,
  addressValue,
  changedParts,
  checkCustomer,
  customerPatch,
  editedKeys,
  withoutKeys,
  type CustomerValue,
} from "./customerValue";
import { useFocusFirstInvalid } from "./focus";
import { fieldErrors } from "./formErrors";
import { ManagerPicker } from "./ManagerPicker";
import { m, useErrorWords } from "./messages";
import { displayPhone } from "./phone";
import "./customer.css";

export type CustomerEditorProps = {
  orderId: string;
  onSaved?: () => void;
  /** Show the manager reassignment (for those who may assign managers). */
  manager?: boolean;
};

type Order = Schemas["OrderCard"];

function valueOf(order: Order): CustomerValue {
  return {
    name: order.customer.name,
    phone: displayPhone(order.customer.phone),
    address: addressValue(order.customer.address),
  };
}

export function CustomerEditor({ orderId, onSaved, manager = true }: CustomerEditorProps): ReactElement {
  const t = m.use();
  const words = useErrorWords();
  const lang = useApp((s) => s.lang);
  // Stable for the language: effects that depend on it must not re-run on every render
  // (a re-read would overwrite what the user is typing).
  const tc = useMemo(() => common.in(lang), [lang]);
  const toast = useApp((s) => s.toast);
  const mayAssign = useMay("orders.assign_manager");
  const [order, setOrder] = useState<Order | null>(null);
  const [value, setValue] = useState<CustomerValue | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [note, setNote] = useState<string | null>(null);
  const [lost, setLost] = useState<CustomerValue | null>(null);
  const [busy, setBusy] = useState(false);
  const { formRef, focusFirstInvalid } = useFocusFirstInvalid();

  const took = useCallback((fresh: Order) => {
    setOrder(fresh);
    setValue(valueOf(fresh));
  }, []);

  const { read, failure, setFailure } = useOrderRead(orderId, took);

  async function save(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    if (!order || !value) return;
    setNote(null);
    setFailure(null);
    const was = valueOf(order);
    const problems = checkCustomer(value, words, changedParts(value, was));
    setErrors(problems);
    if (Object.keys(problems).length) {
      focusFirstInvalid();
      return;
    }
    const patch = customerPatch(value, was);
    if (!patch) {
      setNote(t("editor.nothing"));
      return;
    }
    setBusy(true);
    try {
      const fresh = await ok(
        api.PATCH("/api/v1/orders/{order_id}/customer", {
          params: { path: { order_id: orderId } },
          body: { ...patch, expected_version: order.version },
        }),
      );
      took(fresh);
      setLost(null);
      toast(t("editor.saved"));
      onSaved?.();
    } catch (err) {
      if (err instanceof ApiError && err.code === "version_conflict") {
        setLost(value);
        await read();
      } else {
        const fields = fieldErrors(err, words);
        setErrors(fields);
        if (!Object.keys(fields).length) setFailure(errorText(err, tc));
        else focusFirstInvalid();
      }
    } finally {
      setBusy(false);
    }
  }

  if (!order || !value) {
    return <OrderLoading failure={failure} onRetry={() => void read()} />;
  }

  const freeText = typeof order.customer.address === "string" || !order.customer.address.city;
  return (
    <div className="customer-editor" data-version={order.version}>
      <form ref={formRef} className="editor-section" onSubmit={(e) => void save(e)} noValidate aria-labelledby={`customer-${orderId}`}>
        <h3 id={`customer-${orderId}`}>{t("editor.title")}</h3>
        {lost ? (
          <div className="conflict" role="alert">
            <p>{t("editor.conflict")}</p>
            <button
              type="button"
              onClick={() => {
                setValue(lost);
                setLost(null);
              }}
            >
              {t("editor.restore")}
            </button>
          </div>
        ) : null}
        <CustomerFields
          value={value}
          onChange={(next) => {
            setErrors((had) => withoutKeys(had, editedKeys(value, next)));
            setValue(next);
            setNote(null);
          }}
          errors={errors}
          currentAddress={freeText ? addressText(order.customer.address, order.customer.address_text) : undefined}
        />
        <div className="form-actions">
          <button type="submit" className="primary" disabled={busy}>
            {t("editor.save")}
          </button>
          {note ? (
            <span className="muted" role="status">
              {note}
            </span>
          ) : null}
        </div>
        {failure ? (
          <p className="error form-note" role="alert">
            {failure}
          </p>
        ) : null}
      </form>
      {manager && mayAssign ? (
        <ManagerPicker
          orderId={orderId}
          current={order.manager}
          version={order.version}
          onAssigned={(fresh) => {
            took(fresh);
            onSaved?.();
          }}
          onConflict={() => void read()}
        />
      ) : null}
    </div>
  );
}
