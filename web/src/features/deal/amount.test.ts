import { describe, expect, it } from "vitest";
import { editableAmount, formatMoney, parseAmount } from "./amount";

describe("amounts", () => {
  it("read the ways people type money", () => {
    expect(parseAmount("185000")).toBe("185000.00");
    expect(parseAmount("185 000")).toBe("185000.00");
    expect(parseAmount("185 000,5")).toBe("185000.50");
    expect(parseAmount("185000.55 ₽")).toBe("185000.55");
    expect(parseAmount("0150")).toBe("150.00");
  });

  it("refuse what the server would refuse", () => {
    for (const bad of ["", "0", "0,00", "-5", "1.234", "12a", "1234567890123"]) expect(parseAmount(bad)).toBeNull();
  });

  it("show an amount in rubles", () => {
    expect(formatMoney("185000.00", "ru").replace(/\s/g, " ")).toBe("185 000 ₽");
    expect(formatMoney("99.5", "ru").replace(/\s/g, " ")).toBe("99,50 ₽");
    expect(formatMoney("x", "ru")).toBe("x");
  });

  it("give an amount back for editing", () => {
    expect(editableAmount("185000.00", "ru")).toBe("185000");
    expect(editableAmount("99.50", "ru")).toBe("99,50");
    expect(editableAmount("99.50", "en")).toBe("99.50");
  });
});
