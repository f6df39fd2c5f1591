// Drag and drop of cards between columns (@dnd-kit/core): the mouse drags at once (after a few
// pixels, so a click still opens the card), a finger after a short press (so a swipe still
// scrolls the board), the keyboard with space to lift, arrows to move between columns and
// space to drop — each step announced in the user's language.
import {
  KeyboardSensor,
  PointerSensor,
  TouchSensor,
  pointerWithin,
  rectIntersection,
  useSensor,
  useSensors,
  type Announcements,
  type PointerSensorOptions,
  type CollisionDetection,
  type KeyboardCoordinateGetter,
  type SensorDescriptor,
  type SensorOptions,
  type UniqueIdentifier,
} from "@dnd-kit/core";
import type { PointerEvent as ReactPointerEvent } from "react";
import type { Card } from "./columns";
import type { BoardT } from "./messages";

/** The pointer sensor for a mouse or pen only: touch is the touch sensor's, with its delay. */
export class MousePointerSensor extends PointerSensor {
  static override activators = [
    {
      eventName: "onPointerDown" as const,
      handler: ({ nativeEvent: event }: ReactPointerEvent, { onActivation }: PointerSensorOptions) => {
        if (!event.isPrimary || event.button !== 0 || event.pointerType === "touch") return false;
        onActivation?.({ event });
        return true;
      },
    },
  ];
}

/** Left and right jump to the neighbouring column; up and down do nothing (the column is the target). */
export const columnJump: KeyboardCoordinateGetter = (event, { context, currentCoordinates }) => {
  const step = event.code === "ArrowRight" ? 1 : event.code === "ArrowLeft" ? -1 : 0;
  if (event.code === "ArrowUp" || event.code === "ArrowDown") {
    event.preventDefault();
    return currentCoordinates;
  }
  if (!step) return undefined;
  event.preventDefault();
  const { active, collisionRect, droppableRects, droppableContainers, over } = context;
  if (!active || !collisionRect) return undefined;
  const columns = droppableContainers
    .getEnabled()
    .map((c) => ({ id: c.id, rect: droppableRects.get(c.id) }))
    .filter((c): c is { id: UniqueIdentifier; rect: NonNullable<typeof c.rect> } => Boolean(c.rect))
    .sort((a, b) => a.rect.left - b.rect.left);
  const here = over?.id ?? (active.data.current as { card?: Card } | undefined)?.card?.stage;
  const index = columns.findIndex((c) => c.id === here);
  const next = columns[index + step];
  if (!next) return currentCoordinates;
  return {
    x: next.rect.left + Math.max(0, (next.rect.width - collisionRect.width) / 2),
    y: Math.max(next.rect.top + 8, Math.min(currentCoordinates.y, next.rect.top + next.rect.height - collisionRect.height)),
  };
};

/** The pointer's column while a pointer drags; the most overlapped one for the keyboard. */
export const overColumn: CollisionDetection = (args) => {
  if (args.pointerCoordinates) {
    const hits = pointerWithin(args);
    if (hits.length) return hits;
  }
  return rectIntersection(args);
};

export function useBoardSensors(): SensorDescriptor<SensorOptions>[] {
  return useSensors(
    useSensor(MousePointerSensor, { activationConstraint: { distance: 6 } }),
    useSensor(TouchSensor, { activationConstraint: { delay: 220, tolerance: 8 } }),
    useSensor(KeyboardSensor, {
      // Enter stays the link's: it opens the order.
      keyboardCodes: { start: ["Space"], cancel: ["Escape"], end: ["Space", "Enter"] },
      coordinateGetter: columnJump,
    }),
  );
}

export function announcements(t: BoardT, titleOf: (stage: string) => string): Announcements {
  const cardOf = (active: { data: { current?: unknown } }): Card | undefined =>
    (active.data.current as { card?: Card } | undefined)?.card;
  const n = (active: { data: { current?: unknown } }): number | string => cardOf(active)?.number ?? "";
  return {
    onDragStart: ({ active }) => t("dnd.start", { n: n(active), stage: titleOf(cardOf(active)?.stage ?? "") }),
    onDragOver: ({ active, over }) =>
      over ? t("dnd.over", { n: n(active), stage: titleOf(String(over.id)) }) : t("dnd.over_none", { n: n(active) }),
    onDragEnd: ({ active, over }) => {
      const from = cardOf(active)?.stage ?? "";
      return over && String(over.id) !== from
        ? t("dnd.drop", { n: n(active), stage: titleOf(String(over.id)) })
        : t("dnd.drop_same", { n: n(active), stage: titleOf(from) });
    },
    onDragCancel: ({ active }) => t("dnd.cancel", { n: n(active), stage: titleOf(cardOf(active)?.stage ?? "") }),
  };
}
