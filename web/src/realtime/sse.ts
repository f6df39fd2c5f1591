// A text/event-stream parser: blocks separated by a blank line, `event:`/`data:`/`id:` lines,
// `:` comments (keep-alives) skipped. Pure, so it is unit-tested without a network.

export type StreamEvent = { type: string; data: unknown; id?: string };

export function parseBlock(block: string): StreamEvent | null {
  let type = "message";
  let id: string | undefined;
  const data: string[] = [];
  for (const line of block.split(/\r?\n/)) {
    if (line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "event") type = value;
    else if (field === "data") data.push(value);
    else if (field === "id") id = value;
  }
  if (!data.length && type === "message") return null;
  let payload: unknown = data.join("\n");
  try {
    payload = JSON.parse(payload as string);
  } catch {
    // plain-text data is fine
  }
  return id === undefined ? { type, data: payload } : { type, data: payload, id };
}

/** Feed chunks in, get whole events out; a block split across chunks waits for its end. */
export class SseBuffer {
  private buffer = "";

  push(chunk: string): StreamEvent[] {
    this.buffer += chunk;
    const events: StreamEvent[] = [];
    let cut: number;
    while ((cut = this.buffer.search(/\r?\n\r?\n/)) >= 0) {
      const block = this.buffer.slice(0, cut);
      this.buffer = this.buffer.slice(cut).replace(/^\r?\n\r?\n/, "");
      const event = parseBlock(block);
      if (event) events.push(event);
    }
    return events;
  }
}
