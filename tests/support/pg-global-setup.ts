/**
 * vitest globalSetup of the unit and integration projects: starts one throwaway
 * PostgreSQL cluster for the whole run and provides its URL as `pgUrl`; each test file makes
 * its own database on it (tests/support/postgres.ts). Removed when the run ends.
 */
import type { TestProject } from 'vitest/node';
import { startCluster } from './postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The superuser URL of the run's PostgreSQL cluster. */
    pgUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const cluster = await startCluster();
  project.provide('pgUrl', cluster.url);
  return () => cluster.destroy();
}
