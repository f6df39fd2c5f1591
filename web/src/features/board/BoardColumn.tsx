// One stage: its title, how many orders it holds, and its first cards. A drop target for
// those who may move orders. Memoised with the column object: a change in another column
// leaves this one alone.
import { useDroppable } from "@dnd-kit/core";
import { memo, type ReactElement } from "react";
import type { Lang } from "../../store/app";
import { BoardCard } from "./BoardCard";
import type { Column } from "./columns";
import { m } from "./messages";

type Props = { column: Column; draggable: boolean; lang: Lang };

export const BoardColumn = memo(function BoardColumn({ column, draggable, lang }: Props): ReactElement {
  const t = m.use();
  const { setNodeRef, isOver } = useDroppable({ id: column.stage, disabled: !draggable });
  const more = column.count - column.cards.length;
  const headId = `column-${column.stage}`;
  return (
    <section
      ref={setNodeRef}
      className={`column stage-${column.stage}${isOver ? " over" : ""}`}
      data-stage={column.stage}
      data-count={column.count}
      aria-labelledby={headId}
    >
      <header className="column-head">
        <h2 id={headId}>
          {column.title}
          <span className="visually-hidden">: {column.count}</span>
        </h2>
        <span className="count" title={t("board.count_title")} aria-hidden="true">
          {column.count}
        </span>
      </header>
      {column.cards.length ? (
        <ul className="cards">
          {column.cards.map((card) => (
            <li key={card.id}>
              <BoardCard card={card} draggable={draggable} lang={lang} />
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted empty">{t("board.empty")}</p>
      )}
      {more > 0 ? <p className="muted more">{t("board.more", { n: more })}</p> : null}
    </section>
  );
});
