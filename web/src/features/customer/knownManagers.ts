// Managers this browser has seen (on board cards): who an order can be reassigned to when the
// caller may not list users (GET /users is for admins). The board feeds it as it loads.
export type Person = { id: string; display_name: string };

const known = new Map<string, string>();

export function rememberManagers(people: Iterable<Person>): void {
  for (const person of people) if (person.id && person.display_name) known.set(person.id, person.display_name);
}

export function knownManagers(): Person[] {
  return [...known].map(([id, display_name]) => ({ id, display_name }));
}

/** The list to pick from: the known ones plus the extra people given, by name, no repeats. */
export function managerChoices(extra: Person[], known: Person[] = knownManagers()): Person[] {
  const byId = new Map<string, Person>();
  for (const person of [...known, ...extra]) {
    const had = byId.get(person.id);
    if (!had || (!had.display_name && person.display_name)) byId.set(person.id, person);
  }
  return [...byId.values()].sort((a, b) => a.display_name.localeCompare(b.display_name, "ru"));
}
