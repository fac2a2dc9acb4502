/**
 * Setup for jest.axios-oldest.config.ts: proves, before each suite, that `axios` is the oldest
 * supported version and not the newest one the rest of the repository uses.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import axios from 'axios';

const manifest = readFileSync(
  join(__dirname, '../../node_modules/axios-oldest/package.json'),
  'utf8',
);
const oldest = (JSON.parse(manifest) as { version: string }).version;
if (axios.VERSION !== oldest) {
  throw new Error(`axios-oldest run: axios resolves to ${axios.VERSION}, expected ${oldest}`);
}
