/** A grid of image links (browse and search results): thumbnail, name, and a line about it. */
import { imagePath } from '../lib/routes';
import { Thumb } from './thumb';

export interface GridItem {
  key: string;
  imageUrl?: string;
  caption: string;
  /** When its page's imageUrl expires. */
  expiresAt?: string;
}

/** The last part of a key, the name a person gave the file. */
export const fileNameOf = (key: string) => key.split('/').at(-1) || key;

export function ImageGrid({ items, label }: { items: GridItem[]; label: string }) {
  return (
    <ul class="grid" aria-label={label}>
      {items.map((item) => (
        <li key={item.key}>
          <a class="card" href={imagePath(item.key)} data-key={item.key}>
            <Thumb imageKey={item.key} src={item.imageUrl} expiresAt={item.expiresAt} />
            <span class="card-name">{fileNameOf(item.key)}</span>
            <span class="card-caption">{item.caption}</span>
          </a>
        </li>
      ))}
    </ul>
  );
}
