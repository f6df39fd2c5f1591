import { describe, expect, it } from "vitest";
import { ApiError } from "../../api/client";
import { fieldErrors, fieldPath, under } from "./formErrors";

const words = { required: "REQ", tooLong: "LONG", atMost: "MAX {n}", phone: "PHONE", number: "NUM" };

describe("fieldErrors", () => {
  it("drops the union's branch names from the path and the other branch's vague complaint", () => {
    const err = new ApiError(422, {
      code: "invalid_input",
      detail: "x",
      errors: [
        { loc: ["body", "customer", "address", "constrained-str"], msg: "Input should be a valid string", type: "string_type" },
        { loc: ["body", "customer", "address", "AddressIn", "city"], msg: "String should have at least 1 character", type: "string_too_short" },
      ],
    });
    expect(fieldErrors(err, words)).toEqual({ "customer.address.city": "REQ" });
  });

  it("says blank text is required and keeps an unknown complaint as the server wrote it", () => {
    const err = new ApiError(422, {
      code: "invalid_input",
      detail: "x",
      errors: [
        { loc: ["body", "customer", "name"], msg: "String should match pattern '\\S'", type: "string_pattern_mismatch" },
        { loc: ["body", "title"], msg: "Something odd", type: "value_error" },
      ],
    });
    expect(fieldErrors(err, words)).toEqual({ "customer.name": "REQ", title: "Something odd" });
  });

  it("reads a service's refusal that names its field in the detail", () => {
    const err = new ApiError(422, { code: "invalid_phone", detail: "customer.phone: not a Russian phone number: '123'" });
    expect(fieldErrors(err, words)).toEqual({ "customer.phone": "PHONE" });
  });

  it("names no field for other errors", () => {
    expect(fieldErrors(new ApiError(409, { code: "version_conflict", detail: "stale" }), words)).toEqual({});
    expect(fieldErrors(new Error("x"), words)).toEqual({});
  });

  it("cuts a prefix off", () => {
    expect(under({ "customer.address.city": "a", title: "b" }, "customer")).toEqual({ "address.city": "a" });
    expect(fieldPath(["body", "amount", "function-after[check(), decimal]"])).toBe("amount");
  });
});

describe("a length the server refused", () => {
  it("says the server's limit under the field", () => {
    const err = new ApiError(422, {
      detail: "customer.address.AddressIn.floor: String should have at most 20 characters",
      code: "invalid_input",
      errors: [
        { loc: ["body", "customer", "address", "AddressIn", "floor"], msg: "String should have at most 20 characters", type: "string_too_long" },
      ],
    });
    expect(fieldErrors(err, words)).toEqual({ "customer.address.floor": "LONG (MAX 20)" });
  });
});
