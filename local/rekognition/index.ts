export { CALIBRATION_KNOTS, calibrate, rawThresholdFor } from './calibration';
export type { Detection } from './centernet';
export {
  buildLabels,
  type DetectLabelsInput,
  detectLabels,
  type GeneralLabelsFilters,
  type LabelOptions,
  parseLabelOptions,
  passesFilters,
  type ReadObject,
} from './detect-labels';
export { isRekognitionError, RekognitionError, type RekognitionErrorType } from './errors';
export { createFaults, type FaultSettings, type Faults, type Stats } from './faults';
export { decodeImage, inspectImage, type RgbImage, sniffFormat } from './image';
export {
  type CenterNetOptions,
  createCenterNetModel,
  createFixedModel,
  type LabelModel,
  type ModelUsage,
} from './model';
export { CENTERNET_VERSION } from './model-version';
export {
  createRekognitionService,
  type RekognitionService,
  type RekognitionServiceOptions,
} from './service';
export { ancestorsOf, COCO_CLASSES, categoriesOf, rekognitionName } from './taxonomy';
