// Jest test environment for `npm run mutate` only (set in stryker.config.json): stop a mutant's
// test run at its first failing test.
//
// Stryker stops at the first failing test with its other runners, but its jest runner cannot pass
// `bail` to jest, so a mutant that the first test kills still runs every other test that covers
// it (for session.ts, hundreds). This environment skips the rest instead: once a test has failed
// while a mutant is active, every later test and describe block of that run is skipped, hooks
// included. The mutant is killed either way; only the tests after the first failure are saved.
// Nothing changes without an active mutant, so the initial run (which measures coverage) runs all.
import NodeEnvironment from 'jest-environment-node';

const ACTIVE_MUTANT = '__STRYKER_ACTIVE_MUTANT__';
let failedUnder;

const bailing = () => {
  const mutant = process.env[ACTIVE_MUTANT];
  return mutant !== undefined && mutant === failedUnder;
};

export default class StrykerBailEnvironment extends (NodeEnvironment.default ?? NodeEnvironment) {
  async handleTestEvent(event) {
    if (event.name === 'run_describe_start' && bailing()) event.describeBlock.mode = 'skip';
    if (event.name === 'test_start' && bailing()) event.test.mode = 'skip';
    if (event.name === 'test_done' && event.test.errors.length > 0) {
      failedUnder = process.env[ACTIVE_MUTANT];
    }
  }
}
