/**
 * The CenterNet model's LabelModelVersion. On its own so that the main thread, which only names
 * the model, does not load tfjs: the model itself runs in a worker thread (model.ts).
 */
export const CENTERNET_VERSION = 'local-centernet-coco-1.0';
