/**
 * What Rekognition accepts from an S3 object, checked by image-inspection.ts before a
 * DetectLabels call is paid, and by the API before it signs an upload URL. A module of its own
 * so that the API does not bundle the image parser for a constant.
 */
export const IMAGE_LIMITS = {
  minBytes: 1,
  /** Rekognition: "15 MB" for an image in S3, taken as 15 MiB. */
  maxBytes: 15 * 1024 * 1024,
  minSide: 80,
  maxSide: 10_000,
} as const;
