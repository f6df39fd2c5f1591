// The moment a past view asks for: the date-time input's local wall time (no zone) as an
// RFC 3339 instant in the device's zone, and back. Pure, so the tests pin them.

/** "2026-03-02T10:30" (an <input type="datetime-local"> value, device time) → ISO with "Z". */
export function momentOf(local: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(local)) return null;
  const at = new Date(local); // a zone-less date-time string is local time
  return Number.isNaN(at.getTime()) ? null : at.toISOString();
}

/** The device's local wall time of `at`, as a datetime-local input shows it (to the minute,
 * or to the second). */
export function localInput(at: Date, seconds = false): string {
  const pad = (n: number): string => String(n).padStart(2, "0");
  const minute = `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}`;
  return seconds ? `${minute}:${pad(at.getSeconds())}` : minute;
}
