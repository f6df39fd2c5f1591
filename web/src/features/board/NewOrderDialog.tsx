// A new order: the customer (name, phone formatted as typed, structured address), what is
// ordered, a description, and files to attach at once. When the phone is a known one, the
// customer's earlier orders are listed and their name and address can be taken in one click.
// An optional day promised to the customer: the board flags the order when its forecast passes it.
// 201: the dialog closes, the card is put into "Оформление" at once, a toast gives its number;
// the files then upload in the background, the way the order card's upload form sends them
// (features/media: retried on a weak connection), and their count appears on the card as they land.
import { useMemo, useState, type FormEvent, type ReactElement } from "react";
import { ApiError, api, ok, type Schemas } from "../../api/client";
import { errorText } from "../../app/errors";
import { may, type Capability } from "../../app/roles";
import { common } from "../../i18n/common";
import { useApp } from "../../store/app";
import { Dialog } from "../../ui/Dialog";
import { Field } from "../../ui/Field";
import { CustomerFields } from "../customer/CustomerFields";
import {
  addressValue,
  checkCustomer,
  customerIn,
  editedKeys,
  emptyCustomer,
  withoutKeys,
  type CustomerValue,
} from "../customer/customerValue";
import { useFocusFirstInvalid } from "../customer/focus";
import { fieldErrors, under } from "../customer/formErrors";
import { useErrorWords } from "../customer/messages";
import { PhoneLookup } from "../customer/PhoneLookup";
import { displayPhone } from "../customer/phone";
import { uploadErrorText } from "../media/errors";
import { ACCEPT_ANY } from "../media/kinds";
import { m as mediaMessages } from "../media/messages";
import { uploadDocument } from "../media/upload";
import { m as forecastMessages } from "../forecast/messages";
import { DOCUMENT_PURPOSES } from "./gates";
import { m } from "./messages";
import { FormActions } from "../../ui/FormActions";

type Purpose = Schemas["DocumentUpload"]["purpose"];

type Props = {
  onClose: () => void;
  /** The order exists: put its card on the board. */
  onCreated: (order: Schemas["OrderCard"]) => void;
};

export function NewOrderDialog({ onClose, onCreated }: Props): ReactElement {
  const t = m.use();
  const tc = common.use();
  const tm = mediaMessages.use();
  const tf = forecastMessages.use();
  const words = useErrorWords();
  const role = useApp((s) => s.me?.role);
  const toast = useApp((s) => s.toast);
  const [customer, setCustomer] = useState<CustomerValue>(emptyCustomer);
  const [title, setTitle] = useState("");
  const [description, setDescription] = useState("");
  const [promised, setPromised] = useState("");
  const [files, setFiles] = useState<File[]>([]);
  const purposes = useMemo(
    () => DOCUMENT_PURPOSES.filter((p) => may(role, `media.attach.${p}` as Capability)) as Purpose[],
    [role],
  );
  const [purpose, setPurpose] = useState<Purpose>(purposes.includes("requirements") ? "requirements" : (purposes[0] ?? "other"));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // One key per dialog: a retry after a lost answer gets the same order, never a second one.
  const [idempotencyKey] = useState(() => crypto.randomUUID());
  const { formRef, focusFirstInvalid } = useFocusFirstInvalid();

  /** A new value for the customer: the edited fields' old messages go. */
  function editCustomer(next: CustomerValue): void {
    setErrors((had) => withoutKeys(had, editedKeys(customer, next), "customer."));
    setCustomer(next);
  }

  async function submit(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    setFailure(null);
    const problems: Record<string, string> = {};
    for (const [key, message] of Object.entries(checkCustomer(customer, words))) problems[`customer.${key}`] = message;
    if (!title.trim()) problems.title = words.required;
    setErrors(problems);
    if (Object.keys(problems).length) {
      setFailure(t("create.check"));
      focusFirstInvalid();
      return;
    }
    setBusy(true);
    try {
      const order = await ok(
        api.POST("/api/v1/orders", {
          body: {
            title: title.trim(),
            customer: customerIn(customer),
            ...(description.trim() ? { description: description.trim() } : {}),
            ...(promised ? { promised_date: promised } : {}),
          },
          headers: { "Idempotency-Key": idempotencyKey },
        }),
      );
      onCreated(order);
      toast(t("create.created", { n: order.number }));
      onClose();
      void uploadAll(order, files, purpose);
    } catch (err) {
      const fields = fieldErrors(err, words);
      if (err instanceof ApiError && err.code === "promised_date_too_early") fields.promised_date = tf("dates.too_early");
      else if (fields.promised_date) fields.promised_date = tf("dates.invalid");
      setErrors(fields);
      setFailure(Object.keys(fields).length ? t("create.check") : errorText(err, tc));
      focusFirstInvalid();
    } finally {
      setBusy(false);
    }
  }

  async function uploadAll(order: Schemas["OrderCard"], chosen: File[], as: Purpose): Promise<void> {
    for (const file of chosen) {
      try {
        await uploadDocument(order.id, file, as);
      } catch (err) {
        toast(t("create.upload_failed", { n: order.number, name: file.name, why: uploadErrorText(err, tm, tc) }), "error");
      }
    }
  }

  return (
    <Dialog open wide title={t("create.title")} onClose={onClose}>
      <form ref={formRef} className="new-order" onSubmit={(e) => void submit(e)} noValidate>
        <div className="new-order-grid">
          <fieldset className="plain-set">
            <legend>{t("create.customer")}</legend>
            <CustomerFields
              value={customer}
              onChange={editCustomer}
              errors={under(errors, "customer")}
              afterPhone={
                <PhoneLookup
                  phone={customer.phone}
                  onUse={(found) =>
                    editCustomer({
                      name: found.name,
                      phone: customer.phone || displayPhone(found.phone),
                      address: addressValue(found.address),
                    })
                  }
                />
              }
            />
          </fieldset>
          <fieldset className="plain-set">
            <legend>{t("create.order")}</legend>
            <Field label={t("create.order_title")} error={errors.title}>
              {(aria) => (
                <input
                  {...aria}
                  name="title"
                  required
                  maxLength={200}
                  placeholder={t("create.order_title_hint")}
                  value={title}
                  onChange={(e) => {
                    setTitle(e.currentTarget.value);
                    setErrors((had) => withoutKeys(had, ["title"]));
                  }}
                />
              )}
            </Field>
            <Field label={t("create.description")} error={errors.description}>
              {(aria) => (
                <textarea
                  {...aria}
                  name="description"
                  rows={4}
                  maxLength={10000}
                  value={description}
                  onChange={(e) => setDescription(e.currentTarget.value)}
                />
              )}
            </Field>
            <Field label={tf("create.promised")} error={errors.promised_date} hint={tf("create.promised_hint")}>
              {(aria) => (
                <input
                  {...aria}
                  name="promised_date"
                  type="date"
                  className="date-input"
                  value={promised}
                  onChange={(e) => {
                    setPromised(e.currentTarget.value);
                    setErrors((had) => withoutKeys(had, ["promised_date"]));
                  }}
                />
              )}
            </Field>
            {purposes.length ? (
              <>
                <Field label={t("create.files")} hint={t("create.files_hint")}>
                  {(aria) => (
                    <input
                      {...aria}
                      name="files"
                      type="file"
                      multiple
                      accept={ACCEPT_ANY}
                      onChange={(e) => {
                        const picked = Array.from(e.currentTarget.files ?? []);
                        setFiles((had) => [...had, ...picked]);
                        e.currentTarget.value = "";
                      }}
                    />
                  )}
                </Field>
                {files.length ? (
                  <ul className="chosen" aria-label={t("create.chosen", { n: files.length })}>
                    {files.map((file, index) => (
                      <li key={`${file.name}-${index}`}>
                        <span>{file.name}</span>
                        <button
                          type="button"
                          className="link"
                          aria-label={t("create.remove_file", { name: file.name })}
                          onClick={() => setFiles((had) => had.filter((_, i) => i !== index))}
                        >
                          ✕
                        </button>
                      </li>
                    ))}
                  </ul>
                ) : null}
                {files.length ? (
                  <Field label={t("create.purpose")}>
                    {(aria) => (
                      <select {...aria} name="purpose" value={purpose} onChange={(e) => setPurpose(e.currentTarget.value as Purpose)}>
                        {purposes.map((p) => (
                          <option key={p} value={p}>
                            {t(`purpose.${p}` as "purpose.other")}
                          </option>
                        ))}
                      </select>
                    )}
                  </Field>
                ) : null}
              </>
            ) : null}
          </fieldset>
        </div>
        <FormActions failure={failure} busy={busy} submit={t("create.submit")} onCancel={onClose} className="dialog-actions" />
      </form>
    </Dialog>
  );
}
