/** What the bench's SDK clients sign with: the local cloud accepts any credentials. */
export const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench' };
