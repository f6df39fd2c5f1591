// Crew members' names by id (visits carry only the assignee's id). Read once per session:
// the crew changes rarely, and a missing name only falls back to nothing.
import { useEffect, useState } from "react";
import { api, ok } from "../../api/client";
import { useApp } from "../../store/app";

let cached: { user: string; names: Promise<Record<string, string>> } | null = null;

function crewNames(user: string): Promise<Record<string, string>> {
  if (!cached || cached.user !== user) {
    const names = ok(api.GET("/api/v1/crew")).then((crew) =>
      Object.fromEntries(crew.map((member) => [member.id, member.display_name || member.username])),
    );
    cached = { user, names };
    names.catch(() => {
      if (cached?.names === names) cached = null;
    });
  }
  return cached.names;
}

export function useCrewNames(): Record<string, string> {
  const user = useApp((s) => s.me?.id ?? "");
  const [names, setNames] = useState<Record<string, string>>({});
  useEffect(() => {
    let live = true;
    crewNames(user)
      .then((found) => live && setNames(found))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [user]);
  return names;
}
