import { buildIfStale } from './helpers/bundle';

export default async function globalSetup(): Promise<void> {
  await buildIfStale();
}
