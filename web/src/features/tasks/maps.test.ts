import { describe, expect, it } from "vitest";
import { mapLinks, telLink } from "./maps";

const ANDROID = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/131 Mobile Safari/537.36";
const IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1";

describe("mapLinks", () => {
  it("routes to the typed address from where the phone is, by car", () => {
    const links = mapLinks("Москва, ул. Ленина, 5, кв. 12", null, IPHONE);
    expect(links?.route).toBe(
      "https://yandex.ru/maps/?rtext=~%D0%9C%D0%BE%D1%81%D0%BA%D0%B2%D0%B0%2C%20%D1%83%D0%BB.%20%D0%9B%D0%B5%D0%BD%D0%B8%D0%BD%D0%B0%2C%205%2C%20%D0%BA%D0%B2.%2012&rtt=auto",
    );
    expect(new URL(links?.route ?? "").searchParams.get("rtext")).toBe("~Москва, ул. Ленина, 5, кв. 12");
  });
  it("offers geo: on Android only (iOS refuses it)", () => {
    expect(mapLinks("Тверская 1", null, IPHONE)?.geo).toBeNull();
    expect(mapLinks("Тверская 1", null, ANDROID)?.geo).toBe("geo:0,0?q=%D0%A2%D0%B2%D0%B5%D1%80%D1%81%D0%BA%D0%B0%D1%8F%201");
  });
  it("prefers a pinned position to the address", () => {
    const links = mapLinks("Тверская 1", { lat: 55.7575, lon: 37.6132 }, ANDROID);
    expect(new URL(links?.route ?? "").searchParams.get("rtext")).toBe("~55.7575,37.6132");
    expect(links?.geo).toBe("geo:55.7575,37.6132?q=55.7575,37.6132");
  });
  it("has nothing to offer without an address", () => {
    expect(mapLinks("  ", null, ANDROID)).toBeNull();
    expect(mapLinks(null, undefined, IPHONE)).toBeNull();
  });
});

describe("telLink", () => {
  it("keeps the digits and a leading plus", () => {
    expect(telLink("+7 (916) 123-45-67")).toBe("tel:+79161234567");
    expect(telLink("8 916 123 45 67")).toBe("tel:89161234567");
  });
});
