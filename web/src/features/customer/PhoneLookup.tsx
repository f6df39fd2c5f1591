// Who already ordered from this number: once the phone is a valid one, the customers found by
// it (GET /customers?phone=), each with their orders as links, and a button to take their
// name and address. Quiet while the number is incomplete or nobody is found.
import { useEffect, useState, type ReactElement } from "react";
import { Link } from "wouter";
import { api, ok, type Schemas } from "../../api/client";
import { useApp } from "../../store/app";
import { m } from "./messages";
import { toE164 } from "./phone";

type Found = Schemas["FoundCustomer"];

export function PhoneLookup({ phone, onUse }: { phone: string; onUse?: (found: Found) => void }): ReactElement | null {
  const t = m.use();
  const lang = useApp((s) => s.lang);
  const [found, setFound] = useState<Found[]>([]);
  const e164 = toE164(phone);

  useEffect(() => {
    if (!e164) {
      setFound([]);
      return;
    }
    const controller = new AbortController();
    const timer = setTimeout(() => {
      ok(api.GET("/api/v1/customers", { params: { query: { phone: e164, lang } }, signal: controller.signal }))
        .then(setFound)
        .catch(() => setFound([])); // a hint only: the form works without it
    }, 300);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [e164, lang]);

  if (!e164 || found.length === 0) return null;
  return (
    <div className="lookup" role="status">
      {found.map((customer) => (
        <div key={`${customer.phone}-${customer.name}`}>
          <p>
            <strong>{t("lookup.known", { name: customer.name })}</strong>
          </p>
          {customer.orders.length ? (
            <ul aria-label={t("lookup.orders")}>
              {customer.orders.map((order) => (
                <li key={order.id}>
                  <Link href={`/order/${order.id}`}>
                    {t("lookup.order", { n: order.number, title: order.title, stage: order.stage_title ?? order.stage })}
                  </Link>
                </li>
              ))}
            </ul>
          ) : null}
          {onUse ? (
            <button type="button" onClick={() => onUse(customer)}>
              {t("lookup.use")}
            </button>
          ) : null}
        </div>
      ))}
    </div>
  );
}
