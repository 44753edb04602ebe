import { describe, expect, it } from 'vitest';
import { boxData, boxStyle, clampBox, expectedRect } from '../../web/src/lib/boxes';

describe('boxStyle', () => {
  it('places a box in percent of the image, so it scales with the image', () => {
    expect(boxStyle({ left: 0.1, top: 0.25, width: 0.5, height: 0.6 })).toEqual({
      left: '10%',
      top: '25%',
      width: '50%',
      height: '60%',
    });
  });

  it('clamps a box that falls slightly outside the image to its edges', () => {
    expect(boxStyle({ left: -0.02, top: 0.9, width: 0.5, height: 0.15 })).toEqual({
      left: '0%',
      top: '90%',
      width: '48%',
      height: '10%',
    });
  });

  it('never gives a negative size, even for a box wholly outside the image', () => {
    expect(clampBox({ left: 1.2, top: -0.5, width: 0.1, height: 0.2 })).toEqual({
      left: 1,
      top: 0,
      width: 0,
      height: 0,
    });
  });

  it('rounds away floating-point noise', () => {
    expect(boxStyle({ left: 0.0163, top: 0.0172, width: 0.7042, height: 0.9828 })).toEqual({
      left: '1.63%',
      top: '1.72%',
      width: '70.42%',
      height: '98.28%',
    });
  });
});

describe('expectedRect', () => {
  it('maps ratios onto the rendered image rectangle, offset included', () => {
    const rect = expectedRect(
      { left: 0.25, top: 0.5, width: 0.5, height: 0.25 },
      { x: 100, y: 40, width: 800, height: 600 },
    );

    expect(rect).toEqual({ x: 300, y: 340, width: 400, height: 150 });
  });

  it('uses the clamped box, as drawn', () => {
    const rect = expectedRect(
      { left: -0.1, top: 0, width: 0.3, height: 1.1 },
      { x: 0, y: 0, width: 200, height: 100 },
    );

    expect(rect).toEqual({ x: 0, y: 0, width: 40, height: 100 });
  });
});

describe('boxData', () => {
  it("keeps the API's own ratios, unclamped, for the browser tests to compare", () => {
    expect(boxData({ left: -0.01, top: 0.2, width: 0.5, height: 0.3 })).toBe('-0.01,0.2,0.5,0.3');
  });
});
