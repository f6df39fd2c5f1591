// A visit's address as links that open a map app with the route there.
//
// The route link is Yandex Maps' web address with `rtext=~<destination>` (an empty start is
// "from where I am") and `rtt=auto`: on a phone with Yandex Maps or Navigator it opens the
// app (a universal/app link), elsewhere the web map with the route — one link that works on
// Android, iOS and a desktop, and the map most of the company's crews use. Android also gets
// a `geo:` link, which lets the phone choose among its map apps (Google Maps, 2GIS, Organic
// Maps) but shows the place, not a route; iOS has no `geo:` (Safari refuses it), so it is not
// offered there. A pinned site position, when known, is more exact than the typed address.
export type Point = { lat: number; lon: number };
export type MapLinks = { route: string; geo: string | null };

const isAndroid = (userAgent: string): boolean => /Android/i.test(userAgent);

export function mapLinks(address: string | null | undefined, point: Point | null | undefined, userAgent: string): MapLinks | null {
  const text = (address ?? "").trim();
  if (!point && !text) return null;
  const destination = point ? `${point.lat},${point.lon}` : text;
  const route = `https://yandex.ru/maps/?rtext=~${encodeURIComponent(destination)}&rtt=auto`;
  let geo: string | null = null;
  if (isAndroid(userAgent)) {
    geo = point ? `geo:${point.lat},${point.lon}?q=${point.lat},${point.lon}` : `geo:0,0?q=${encodeURIComponent(text)}`;
  }
  return { route, geo };
}

/** A phone number as a tel: link (spaces, dashes and brackets dropped; a leading + kept). */
export function telLink(phone: string): string {
  const digits = phone.replace(/[^\d+]/g, "");
  return `tel:${digits.startsWith("+") ? "+" + digits.slice(1).replace(/\+/g, "") : digits.replace(/\+/g, "")}`;
}
