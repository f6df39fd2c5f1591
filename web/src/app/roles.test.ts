// The app's role checks read the table the gateway enforces (roles.generated.ts, exported from
// contracts/roles.py and checked current by `make schemas-check`).
import { describe, expect, it } from "vitest";
import ROLE_TABLE from "./roles.generated";
import { audienceOf, homePath, may, ROLES, worksOrders } from "./roles";

describe("role checks", () => {
  it("know every role of the table and nothing else", () => {
    expect(ROLES.sort()).toEqual(Object.keys(ROLE_TABLE.roles).sort());
    expect(may("nobody", "signed_in")).toBe(false);
    expect(audienceOf("nobody")).toBe("");
    expect(audienceOf(undefined)).toBe("");
  });

  it("follow the table for each role", () => {
    for (const role of ROLES) {
      const spec = ROLE_TABLE.roles[role];
      for (const capability of ROLE_TABLE.capabilities) {
        expect(may(role, capability)).toBe((spec.capabilities as readonly string[]).includes(capability));
      }
      expect(audienceOf(role)).toBe(spec.audience);
    }
  });

  it("let only the office roles that move orders work them (an admin neither sees nor works them)", () => {
    expect(worksOrders("manager")).toBe(true);
    expect(worksOrders("admin")).toBe(false);
    for (const field of ["measurer", "installer", "delivery", "production"]) expect(worksOrders(field)).toBe(false);
  });

  it("take each role home: the crew to its visits, the board if it sees orders, the users screen for an admin", () => {
    for (const role of ["manager", "director", "production"]) expect(homePath(role)).toBe("/board");
    for (const role of ["measurer", "installer", "delivery"]) expect(homePath(role)).toBe("/tasks");
    expect(homePath("admin")).toBe("/users");
    expect(may("admin", "orders.see")).toBe(false);
    expect(homePath(undefined)).toBe("/notifications");
  });
});
