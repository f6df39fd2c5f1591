// A refused field's path as forms key it: pydantic's `loc` without "body" and without the names
// it gives the branch of a union ("address.AddressIn.city" → "address.city";
// "address.constrained-str" → "address"), so a message lands under the field it is about.
const SCALAR_BRANCHES = new Set(["str", "int", "float", "decimal", "bool"]);

function isBranch(part: string): boolean {
  return /^[A-Z]/.test(part) || part.includes("-") || part.includes("[") || SCALAR_BRANCHES.has(part);
}

export function fieldPath(loc: unknown[]): string {
  return loc
    .map(String)
    .filter((part) => part !== "body" && !isBranch(part))
    .join(".");
}
