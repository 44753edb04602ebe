/**
 * The one zod every function imports: `import * as z from '../core/zod'` (a dependency-cruiser
 * rule keeps `zod` itself out of `functions/` elsewhere).
 *
 * It is `zod/mini`, the functional API over the same core as classic zod: a bundle holds only
 * the checks it uses. Bundled alone with a small schema, it is 16 KB against classic zod's 83 KB,
 * and loads several times faster (`npm run bench`, "where init goes"; bench/README.md).
 *
 * `zod/mini` loads no locale, so every issue would read "Invalid input". The English messages
 * are configured here, once, from their own module: `z.locales.en` would pull in every locale.
 * Infra and the local cloud keep classic zod (they are not bundled into a function); both share
 * this configuration, which classic zod sets to the same English messages.
 */
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

z.config(en());

export * from 'zod/mini';
