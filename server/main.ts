/**
 * Process entry point: reads the environment, opens the store (SQLite, or PostgreSQL with
 * DATABASE_URL; migrated before listening), starts the app
 * and prints one "listening" line on stdout. SIGTERM/SIGINT close sockets and the store
 * and exit 0; a second signal exits at once.
 */
import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { openStore } from './store/open-store.js';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger(config.logLevel, config.nodeId);
  const { store, kind } = await openStore(config);
  logger.info({ store: kind, cluster: config.redisUrl !== null }, 'store open');
  const app = createApp({ store, config, logger });
  const { url } = await app.listen();
  process.stdout.write(`copresence server listening on ${url}\n`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.info({ signal }, 'shutting down');
    app
      .close()
      .then(() => store.close())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  // A bad environment is the user's to fix: say what is wrong without a stack trace.
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
