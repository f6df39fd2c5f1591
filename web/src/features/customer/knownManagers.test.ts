import { describe, expect, it } from "vitest";
import { managerChoices } from "./knownManagers";

describe("managerChoices", () => {
  it("joins the known managers and the extra people, once each, by name", () => {
    const known = [{ id: "b", display_name: "Борис" }, { id: "a", display_name: "Анна" }];
    const extra = [{ id: "a", display_name: "" }, { id: "c", display_name: "Вера" }];
    expect(managerChoices(extra, known).map((p) => p.id)).toEqual(["a", "b", "c"]);
    expect(managerChoices(extra, known)[0]?.display_name).toBe("Анна");
  });
});
