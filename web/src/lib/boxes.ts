/**
 * Bounding boxes over a displayed image. Rekognition's boxes are ratios (0..1, sometimes a
 * little outside) of the EXIF-oriented image's width and height from its top-left corner. The
 * console draws each as an absolutely positioned element in percent of a `position: relative`
 * wrapper around the `<img>`, so the box stays on its object at every size and zoom.
 */

export interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

const clamp01 = (value: number) => Math.min(1, Math.max(0, Number.isFinite(value) ? value : 0));

/** The part of the box inside the image, as ratios (edges clamped to 0..1, size never negative). */
export function clampBox(box: Box): Box {
  const left = clamp01(box.left);
  const top = clamp01(box.top);
  const right = clamp01(box.left + box.width);
  const bottom = clamp01(box.top + box.height);
  return { left, top, width: Math.max(0, right - left), height: Math.max(0, bottom - top) };
}

const percent = (ratio: number) => `${Number((ratio * 100).toFixed(4))}%`;

/** CSS for a box element inside the image's wrapper: left, top, width and height in percent. */
export function boxStyle(box: Box): { left: string; top: string; width: string; height: string } {
  const clamped = clampBox(box);
  return {
    left: percent(clamped.left),
    top: percent(clamped.top),
    width: percent(clamped.width),
    height: percent(clamped.height),
  };
}

/** Where a box must appear on screen, given the rendered image's rectangle (as from getBoundingClientRect). */
export function expectedRect(box: Box, image: Rect): Rect {
  const clamped = clampBox(box);
  return {
    x: image.x + clamped.left * image.width,
    y: image.y + clamped.top * image.height,
    width: clamped.width * image.width,
    height: clamped.height * image.height,
  };
}

/** The `data-box` attribute of a box element: the API's ratios, unclamped, comma-separated. */
export const boxData = (box: Box) => [box.left, box.top, box.width, box.height].join(',');
