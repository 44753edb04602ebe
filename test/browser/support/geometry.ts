/**
 * Rectangles for the box checks: where a box given as the API's ratios must appear over an
 * image rendered at some size, and how much two boxes overlap.
 */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Ratios {
  left: number;
  top: number;
  width: number;
  height: number;
}

const clamp = (value: number) => Math.min(1, Math.max(0, value));

/** The on-screen rectangle of a box (ratios, clamped to the image) over an image at `image`. */
export function expectedRect(box: Ratios, image: Rect): Rect {
  const left = clamp(box.left);
  const top = clamp(box.top);
  const right = clamp(box.left + box.width);
  const bottom = clamp(box.top + box.height);
  return {
    x: image.x + left * image.width,
    y: image.y + top * image.height,
    width: (right - left) * image.width,
    height: (bottom - top) * image.height,
  };
}

/** The largest difference, in px, between two rectangles' edges. */
export function maxEdgeDifference(a: Rect, b: Rect): number {
  return Math.max(
    Math.abs(a.x - b.x),
    Math.abs(a.y - b.y),
    Math.abs(a.x + a.width - (b.x + b.width)),
    Math.abs(a.y + a.height - (b.y + b.height)),
  );
}

/** Intersection over union of two rectangles: 1 for the same rectangle, 0 for disjoint ones. */
export function iou(a: Rect, b: Rect): number {
  const width = Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x));
  const height = Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));
  const intersection = width * height;
  const union = a.width * a.height + b.width * b.height - intersection;
  return union > 0 ? intersection / union : 0;
}
