/**
 * The image with its boxes. The `<img>` is displayed normally (the browser applies EXIF
 * orientation, as Rekognition did) inside a `position: relative` wrapper; each box is an
 * absolutely positioned element in percent of the image, so it stays on its object at every
 * window size and zoom. Boxes of the highlighted label stand out.
 */
import type { ImageLabel } from '../lib/api';
import { boxData, boxStyle } from '../lib/boxes';

export function LabeledImage({
  src,
  alt,
  labels,
  highlighted,
  onError,
}: {
  src: string;
  alt: string;
  labels: ImageLabel[];
  highlighted?: string;
  onError: () => void;
}) {
  return (
    <div class={highlighted ? 'figure figure-highlighting' : 'figure'}>
      <img data-testid="image" src={src} alt={alt} onError={onError} />
      {labels.flatMap((label) =>
        label.instances.map((instance, index) => (
          <div
            key={`${label.name}#${index}`}
            class={label.name === highlighted ? 'box box-active' : 'box'}
            data-testid="box"
            data-label={label.name}
            data-box={boxData(instance.box)}
            style={boxStyle(instance.box)}
            role="img"
            aria-label={`${label.name} ${index + 1} of ${label.instances.length}, ${instance.confidence.toFixed(1)}%`}
          >
            {label.name === highlighted ? (
              <span class="box-tag" aria-hidden="true">
                {label.name}
              </span>
            ) : null}
          </div>
        )),
      )}
    </div>
  );
}
