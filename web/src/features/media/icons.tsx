// Small inline icons (SVG, no font or emoji needed: not every phone or kiosk has an emoji font).
import type { ReactElement, SVGProps } from "react";

type IconProps = { size: string; className?: string } & SVGProps<SVGPathElement>;

/** The frame every icon shares: one path in a 24-unit drawing, hidden from screen readers (the
 * button or link it sits in carries the name). */
function Icon({ size, className = "icon", ...path }: IconProps): ReactElement {
  return (
    <svg className={className} aria-hidden="true" viewBox="0 0 24 24" width={size} height={size}>
      <path {...path} />
    </svg>
  );
}

// The drawings.
const CAMERA =
  "M9 3 7.2 5H4a2 2 0 0 0-2 2v11a2 2 0 0 0 2 2h16a2 2 0 0 0 2-2V7a2 2 0 0 0-2-2h-3.2L15 3H9Zm3 5a5 5 0 1 1 0 10 5 5 0 0 1 0-10Zm0 2a3 3 0 1 0 0 6 3 3 0 0 0 0-6Z";
const PAPERCLIP =
  "M20 11.5 12.1 19.4a5 5 0 0 1-7.1-7.1l8.5-8.5a3.3 3.3 0 0 1 4.7 4.7l-8.5 8.5a1.7 1.7 0 0 1-2.4-2.4l7.8-7.8";
const DOCUMENT = "M6 2h8l6 6v12a2 2 0 0 1-2 2H6a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2Zm7 1.5V9h5.5L13 3.5ZM8 13h8v2H8v-2Zm0 4h8v2H8v-2Z";

export const CameraIcon = (): ReactElement => <Icon size="20" fill="currentColor" d={CAMERA} />;

export const ClipIcon = (): ReactElement => (
  <Icon size="20" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" d={PAPERCLIP} />
);

export const DocIcon = (): ReactElement => <Icon size="18" className="icon doc-icon" fill="currentColor" d={DOCUMENT} />;
