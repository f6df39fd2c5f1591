// The customer's SMS consent on the order card: the recorded answer with who and when, and
// for those who edit the customer a box that records it (PUT /orders/{id}/sms-consent).
import { act, cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Schemas } from "../../api/client";
import { useApp } from "../../store/app";
import { SmsConsent } from "./SmsConsent";

const card = (consent: Schemas["OrderCard"]["sms_consent"]): Schemas["OrderCard"] =>
  ({
    id: "o1",
    number: 7,
    title: "Шкаф",
    stage: "intake",
    version: 3,
    customer: { name: "Иванов", phone: "+79151234567", address: "Москва" },
    sms_consent: consent,
  }) as Schemas["OrderCard"];

function signIn(role: string): void {
  useApp.setState({ me: { id: "u1", username: "manager", display_name: "Менеджер", role } as never, lang: "ru" });
}

afterEach(cleanup);

describe("SmsConsent", () => {
  it("says plainly that a customer never asked gets no SMS, and records the consent", async () => {
    signIn("manager");
    const calls: Array<[string, boolean]> = [];
    const send = async (orderId: string, consent: boolean): Promise<void> => {
      calls.push([orderId, consent]);
    };
    const saved = vi.fn();
    render(<SmsConsent card={card(null)} onSaved={saved} send={send} />);
    expect(screen.getByTestId("sms-consent").textContent).toBe("клиента не спрашивали — не отправляется");
    await act(async () => fireEvent.click(screen.getByLabelText("Клиент согласен получать СМС о визитах")));
    await waitFor(() => expect(saved).toHaveBeenCalledTimes(1));
    expect(calls).toEqual([["o1", true]]);
  });

  it("shows who recorded the answer; a field role sees it but cannot change it", () => {
    signIn("installer");
    render(
      <SmsConsent
        card={card({ consent: false, by: { id: "u2", display_name: "manager" }, at: "2026-12-01T10:00:00Z" })}
        onSaved={() => undefined}
      />,
    );
    expect(screen.getByTestId("sms-consent").textContent).toMatch(/^клиент отказался — не отправляется \(manager, /);
    expect(screen.queryByRole("checkbox")).toBeNull();
  });
});
