import { describe, expect, it } from "vitest";
import {
  addressIn,
  addressText,
  addressValue,
  changedParts,
  checkCustomer,
  customerIn,
  customerPatch,
  emptyCustomer,
  type CustomerValue,
} from "./customerValue";

const words = { required: "REQ", phone: "PHONE" };
const filled = (): CustomerValue => ({
  name: " Иванов Иван ",
  phone: "8 (916) 123-45-67",
  address: { city: "Москва", street: "Тверская", building: "1", apartment: "", entrance: " 2 ", floor: "", intercom: "" },
});

describe("customer values", () => {
  it("find what is missing before sending, keyed as the fields are", () => {
    expect(checkCustomer(emptyCustomer(), words)).toEqual({
      name: "REQ", phone: "REQ", "address.city": "REQ", "address.street": "REQ", "address.building": "REQ",
    });
    expect(checkCustomer({ ...filled(), phone: "123" }, words)).toEqual({ phone: "PHONE" });
    expect(checkCustomer(filled(), words)).toEqual({});
  });

  it("send trimmed values, the phone in E.164 and no empty optional parts", () => {
    expect(customerIn(filled())).toEqual({
      name: "Иванов Иван",
      phone: "+79161234567",
      address: { city: "Москва", street: "Тверская", building: "1", entrance: "2" },
    });
    expect(addressIn(filled().address)).not.toHaveProperty("apartment");
  });

  it("patch only what changed, and nothing when nothing did", () => {
    const was = filled();
    expect(customerPatch(filled(), was)).toBeUndefined();
    expect(customerPatch({ ...filled(), phone: "+7 916 123 45 67" }, was)).toBeUndefined();
    expect(customerPatch({ ...filled(), name: "Петров" }, was)).toEqual({ name: "Петров" });
    const moved = filled();
    moved.address.building = "5";
    expect(customerPatch(moved, was)).toEqual({
      address: { city: "Москва", street: "Тверская", building: "5", entrance: "2" },
    });
    expect(changedParts(moved, was)).toEqual(new Set(["address"]));
  });

  it("read a stored address, structured or free text", () => {
    expect(addressValue("Москва, Тверская 1").city).toBe("");
    expect(addressValue({ city: "Химки", street: null, building: "3" })).toMatchObject({ city: "Химки", street: "", building: "3" });
    expect(addressText({ text: "Москва, Ленинский 30" })).toBe("Москва, Ленинский 30");
    expect(addressText({ city: "Химки", building: "3" })).toBe("Химки, 3");
    expect(addressText(null, "как есть")).toBe("как есть");
  });
});

describe("editing clears the edited fields' messages", () => {
  it("names the edited keys and drops their messages only", async () => {
    const { editedKeys, withoutKeys } = await import("./customerValue");
    const before = filled();
    const after = { ...filled(), name: "Петров", address: { ...filled().address, city: "Химки" } };
    expect(editedKeys(before, after)).toEqual(["name", "address.city"]);
    const errors = { "customer.name": "REQ", "customer.phone": "PHONE", title: "REQ" };
    expect(withoutKeys(errors, ["name", "address.city"], "customer.")).toEqual({ "customer.phone": "PHONE", title: "REQ" });
    expect(withoutKeys(errors, ["address.street"], "customer.")).toBe(errors);
  });
});
