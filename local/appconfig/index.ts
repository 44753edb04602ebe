export {
  type AppConfigDataService,
  type AppConfigDataServiceOptions,
  createAppConfigDataService,
  type ServedFlags,
} from './service';
