// What the signed-in role may attach, per kind: the media service's table (GET
// /api/v1/media/purposes), asked once per role, so the picker never offers a purpose the
// server would refuse. If it cannot be asked, nothing is offered (and it is asked again next
// time); the server decides anyway.
import { useEffect, useState } from "react";
import { api, ok } from "../../api/client";
import { useApp } from "../../store/app";
import type { Allowed } from "./kinds";

let cached: { role: string; allowed: Promise<Allowed> } | null = null;

function fetchAllowed(role: string): Promise<Allowed> {
  if (!cached || cached.role !== role) {
    const allowed = ok(api.GET("/api/v1/media/purposes")).then((found) => ({
      photo: found.purposes.photo ?? [],
      document: found.purposes.document ?? [],
    }));
    cached = { role, allowed };
    allowed.catch(() => {
      if (cached?.allowed === allowed) cached = null;
    });
  }
  return cached.allowed;
}

/** null while asking; empty lists when the role may attach nothing or the ask failed. */
export function useAllowedPurposes(): Allowed | null {
  const role = useApp((s) => s.me?.role ?? "");
  const [allowed, setAllowed] = useState<Allowed | null>(null);
  useEffect(() => {
    let live = true;
    fetchAllowed(role)
      .then((found) => live && setAllowed(found))
      .catch(() => live && setAllowed({ photo: [], document: [] }));
    return () => {
      live = false;
    };
  }, [role]);
  return allowed;
}
