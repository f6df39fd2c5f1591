// vkurko's EventCalendar (framework-agnostic, Svelte inside) in a React component: created
// once on mount, destroyed on clean-up, and each changed option handed over with setOption.
// Callbacks go through stable trampolines to the latest props, so a re-render with new
// closures does not make the calendar redraw every event.
// CSP: the library writes styles through the CSSOM (element.style.cssText), never a style
// attribute or a <style> element, so `style-src 'self'` holds (checked in the browser).
import { useEffect, useRef, type ReactElement } from "react";
import {
  createCalendar,
  destroyCalendar,
  Interaction,
  ResourceTimeGrid,
  type Calendar,
} from "@event-calendar/core";
import "@event-calendar/core/index.css";

type Options = Calendar.Options;

// EventCalendar marks its grid up as an ARIA table whose row groups also hold the events
// (<article>s) and whose table holds the toolbar: an invalid table (axe: aria-required-children,
// critical) that screen readers read wrongly. The table roles are taken off, again whenever
// it redraws, leaving plain containers: the day and person headings and every visit's button
// with its spoken label stay. Nothing else in its markup is touched.
const TABLE_ROLES = new Set(["table", "rowgroup", "row", "columnheader", "rowheader", "cell"]);
const TABLE_ATTRIBUTES = ["aria-colindex", "aria-colspan", "aria-rowindex", "aria-rowspan"];

function untable(root: Element): void {
  for (const el of root.querySelectorAll("[role], [aria-colindex], [aria-colspan]")) {
    if (TABLE_ROLES.has(el.getAttribute("role") ?? "")) el.removeAttribute("role");
    for (const name of TABLE_ATTRIBUTES) if (el.hasAttribute(name)) el.removeAttribute(name);
  }
}

type Props = { options: Options; className?: string; data?: Record<string, string> };

export function EventCalendar({ options, className, data }: Props): ReactElement {
  const el = useRef<HTMLDivElement>(null);
  const calendar = useRef<Calendar | null>(null);
  const latest = useRef(options);
  const given = useRef<Options>({});
  latest.current = options;

  const trampoline = (key: keyof Options) =>
    ((...args: unknown[]) => {
      const fn = latest.current[key];
      return typeof fn === "function" ? (fn as (...a: unknown[]) => unknown)(...args) : undefined;
    }) as never;

  useEffect(() => {
    if (!el.current) return;
    const initial: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(latest.current) as [keyof Options, unknown][]) {
      initial[key] = typeof value === "function" ? trampoline(key) : value;
    }
    given.current = { ...latest.current };
    const root = el.current;
    const ec = createCalendar(root, [ResourceTimeGrid, Interaction], initial as Options);
    calendar.current = ec;
    untable(root);
    const observer = new MutationObserver(() => untable(root));
    observer.observe(root, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ["role", ...TABLE_ATTRIBUTES],
    });
    return () => {
      observer.disconnect();
      calendar.current = null;
      void destroyCalendar(ec);
    };
    // Created once; later changes go through setOption below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    const ec = calendar.current;
    if (!ec) return;
    for (const [key, value] of Object.entries(options) as [keyof Options, unknown][]) {
      const before = given.current[key];
      if (before === value) continue;
      if (typeof value === "function") {
        if (typeof before !== "function") ec.setOption(key, trampoline(key));
      } else {
        ec.setOption(key, value as never);
      }
    }
    given.current = { ...options };
  });

  const attributes = Object.fromEntries(Object.entries(data ?? {}).map(([k, v]) => [`data-${k}`, v]));
  return <div ref={el} className={className} {...attributes} />;
}
