// The NATS tests start a real nats-server (the Debian package) through the package's own helper. Outside CI a
// missing binary skips them with a visible reason; in CI (CI=true) it fails them.
import { findNatsServer } from '../../src/index.js';

export { type LocalNatsServer as NatsServer, startLocalNatsServer as startNatsServer } from '../../src/index.js';

/** Why the NATS tests are skipped here (printed once), or null when they run. */
export const NATS_SKIP_REASON = ((): string | null => {
  if (findNatsServer()) return null;
  if (process.env.CI === 'true' || process.env.CI === '1') {
    throw new Error('nats-server is not installed, and the NATS tests must run in CI: apt-get install nats-server (.ci/run does)');
  }
  const reason = 'nats-server not found: NATS tests SKIPPED (install it: apt-get install nats-server)';
  console.warn(`\n[distributed-sign] ${reason}\n`);
  return reason;
})();
