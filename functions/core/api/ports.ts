/**
 * What the labels API needs from the outside, as small interfaces: the labels table's reads and
 * removal (functions/adapters/dynamodb/images-repository.ts), the images bucket
 * (functions/adapters/s3-image-bucket.ts) and URL signing (functions/adapters/s3-presigner.ts).
 * Tests give in-memory ones.
 */
import type { RemovalAnnouncer } from '../image-removal';
import type { ImageSummary, LabelCount, LabelHit } from '../labels-query';
import type { ImageItem } from '../labels-table';

/** A table position (a LastEvaluatedKey), which a page cursor carries. */
export type TablePosition = Record<string, string>;

export interface ImagesRepository {
  /** The IMAGE record of a key, if there is one. */
  get(key: string): Promise<ImageItem | undefined>;
  /** Images carrying a label (any case) from a confidence up, highest confidence first. */
  byLabel(query: {
    label: string;
    minConfidence: number;
    limit: number;
    after?: TablePosition | undefined;
  }): Promise<{ hits: LabelHit[]; next?: TablePosition | undefined }>;
  /** Every image, last updated first. */
  latest(query: {
    limit: number;
    after?: TablePosition | undefined;
  }): Promise<{ images: ImageSummary[]; next?: TablePosition | undefined }>;
  /** Label names starting with a prefix (any case), most frequent first, without zero counts. */
  labelCounts(query: { prefix: string; limit: number }): Promise<LabelCount[]>;
  /** Removes every record of a key and announces it (see core/image-removal.ts). */
  remove(key: string, announcer: RemovalAnnouncer): Promise<unknown>;
}

/** The images bucket. */
export interface ImageBucket {
  /** Whether the key has a current object. */
  exists(key: string): Promise<boolean>;
  /** Deletes the key's current object (in a versioned bucket: adds a delete marker). */
  remove(key: string): Promise<void>;
}

export interface SignOptions {
  expiresIn: number;
  signingDate: Date;
}

/** Presigned URLs of the images bucket. */
export interface UrlSigner {
  /** A PUT URL that S3 honours only with this content type and length. */
  uploadUrl(
    key: string,
    content: { contentType: string; contentLength: number },
    expiresIn: number,
  ): Promise<string>;
  /** A signer of GET URLs that share one signing date and expiry; a version id pins the version. */
  downloadUrls(options: SignOptions): (key: string, versionId?: string | undefined) => Promise<string>;
}
