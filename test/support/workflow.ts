/** The label-image state as the tasks receive it. */
import type { Detection, ImageMetadata, Label, WorkflowInput } from '../../functions/core/workflow-schemas';

export const TABLE_NAME = 'labels-table';

/** A label as DetectLabels gives it, with no parents, categories, aliases or boxes unless `extra` adds them. */
export function label(name: string, confidence = 90, extra: Partial<Label> = {}): Label {
  return { name, confidence, parents: [], categories: [], aliases: [], instances: [], ...extra };
}

export const workflowInput: WorkflowInput = {
  object: {
    bucket: 'uploads-bucket',
    key: 'albums/summer 2024/dog.jpg',
    versionId: 'v2',
    eTag: '0123456789abcdef0123456789abcdef',
    size: 112_525,
    sequencer: '0055AED6DCD90281E6',
  },
  eventTime: '2024-06-01T12:00:00.123Z',
};

export const imageMetadata: ImageMetadata = { format: 'jpeg', width: 640, height: 427, size: 112_525 };

export const detection: Detection = {
  labels: [
    {
      name: 'Dog',
      confidence: 97.5,
      parents: ['Animal', 'Pet'],
      categories: ['Animals and Pets'],
      aliases: ['Canine'],
      instances: [{ confidence: 96.4, box: { left: 0.1, top: 0.2, width: 0.3, height: 0.4 } }],
    },
    { name: 'Beach', confidence: 88, parents: ['Nature'], categories: [], aliases: [], instances: [] },
  ],
  labelModelVersion: '3.0',
  settings: { minConfidence: 70, maxLabels: 25 },
  detectedAt: '2024-06-01T12:00:01.000Z',
  fromCache: false,
};

/** The state after ClaimImage: what ValidateImage and the later tasks receive. */
export const claimedState = { ...workflowInput, claim: { status: 'CLAIMED', attempt: 1 } };
