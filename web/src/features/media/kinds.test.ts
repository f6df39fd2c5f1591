import { describe, expect, it } from "vitest";
import { contentTypeOf, defaultPurpose, kindFor, offeredPurposes, takesPhotos, type Allowed } from "./kinds";

const measurer: Allowed = { photo: ["measurement"], document: ["measurement"] };
const installer: Allowed = { photo: ["installation", "rework"], document: [] };
const manager: Allowed = {
  photo: ["measurement", "installation", "rework", "other"],
  document: ["contract_draft", "requirements", "calculation", "signed_contract", "measurement", "other"],
};

describe("contentTypeOf", () => {
  it("trusts the browser's type, names it from the extension when the phone says nothing", () => {
    expect(contentTypeOf({ name: "a.pdf", type: "application/pdf" })).toBe("application/pdf");
    expect(contentTypeOf({ name: "IMG_0001.HEIC", type: "" })).toBe("image/heic");
    expect(contentTypeOf({ name: "smeta.xlsx", type: "" })).toBe(
      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    );
    expect(contentTypeOf({ name: "x.jpg", type: "image/jpg" })).toBe("image/jpeg");
    expect(contentTypeOf({ name: "noext", type: "" })).toBe("application/octet-stream");
    // "application/octet-stream" says no more than nothing: the extension names it.
    expect(contentTypeOf({ name: "dogovor.docx", type: "application/octet-stream" })).toBe(
      "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    );
    expect(contentTypeOf({ name: "data.bin", type: "application/octet-stream" })).toBe("application/octet-stream");
  });
});

describe("kindFor", () => {
  it("uploads an image for a photo purpose as a photo", () => {
    expect(kindFor(measurer, "measurement", "image/jpeg")).toBe("photo");
    expect(kindFor(installer, "installation", "image/heic")).toBe("photo");
  });
  it("uploads PDFs, Word and Excel, and scans for document-only purposes, as documents", () => {
    expect(kindFor(measurer, "measurement", "application/pdf")).toBe("document");
    expect(kindFor(manager, "signed_contract", "image/jpeg")).toBe("document");
  });
  it("refuses what the purpose cannot take", () => {
    expect(kindFor(installer, "installation", "application/pdf")).toBeNull();
    expect(kindFor(measurer, "measurement", "application/zip")).toBeNull();
    expect(kindFor(measurer, "installation", "image/jpeg")).toBeNull();
  });
});

describe("offeredPurposes", () => {
  it("offers what the server allows, field work first, narrowed to what the caller wants", () => {
    expect(offeredPurposes(installer)).toEqual(["installation", "rework"]);
    expect(offeredPurposes(manager, ["signed_contract"])).toEqual(["signed_contract"]);
    expect(offeredPurposes(measurer, ["signed_contract"])).toEqual([]);
    expect(offeredPurposes({ photo: [], document: [] })).toEqual([]);
  });
  it("knows which purposes take photos (the camera button)", () => {
    expect(takesPhotos(manager, "signed_contract")).toBe(false);
    expect(takesPhotos(installer, "rework")).toBe(true);
  });
});

describe("defaultPurpose", () => {
  it("guesses what the worker means on this stage", () => {
    expect(defaultPurpose(offeredPurposes(measurer), "measurer", "intake")).toBe("measurement");
    expect(defaultPurpose(offeredPurposes(installer), "installer", "rework")).toBe("rework");
    expect(defaultPurpose(offeredPurposes(installer), "installer", "installation")).toBe("installation");
    expect(defaultPurpose(offeredPurposes(manager), "manager", "contract")).toBe("signed_contract");
    expect(defaultPurpose(offeredPurposes(manager), "manager", "intake")).toBe("requirements");
    expect(defaultPurpose(offeredPurposes(manager), "manager", "production")).toBe("other");
    expect(defaultPurpose([], "delivery", "delivery")).toBeUndefined();
  });
});
