/**
 * A presigned image, shown as is (the browser applies EXIF orientation). When it fails to load
 * after its URL may have expired, it asks the API for a fresh URL once.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { imageUrlExpired } from '../lib/api';
import { useServices } from '../services';

export function Thumb({ imageKey, src, expiresAt }: { imageKey: string; src?: string; expiresAt?: string }) {
  const { api } = useServices();
  const [url, setUrl] = useState(src);
  const [broken, setBroken] = useState(false);
  const refreshed = useRef(false);

  useEffect(() => {
    setUrl(src);
    setBroken(false);
    refreshed.current = false;
  }, [src]);

  const onError = async () => {
    if (!refreshed.current && imageUrlExpired(expiresAt, Date.now())) {
      refreshed.current = true;
      try {
        const record = await api.getImage(imageKey);
        if (record.imageUrl) {
          setUrl(record.imageUrl);
          return;
        }
      } catch {
        // Shown as "No preview" below.
      }
    }
    setBroken(true);
  };

  if (!url || broken) {
    return (
      <span class="thumb thumb-missing" aria-hidden="true">
        No preview
      </span>
    );
  }
  return <img class="thumb" src={url} alt="" loading="lazy" decoding="async" onError={onError} />;
}
