// The order card (GET /orders/{id}) as the screens and forms read it: in the user's language,
// cancelled with the component that asked. One place, so every reader asks the same way.
import { api, ok, type Schemas } from "../../api/client";
import type { Lang } from "../../store/app";

export function getOrder(orderId: string, lang: Lang, signal?: AbortSignal): Promise<Schemas["OrderCard"]> {
  return ok(api.GET("/api/v1/orders/{order_id}", { params: { path: { order_id: orderId }, query: { lang } }, signal }));
}
