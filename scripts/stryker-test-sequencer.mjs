// Jest test sequencer for `npm run mutate` only (set in stryker.config.json, not in jest.config.ts).
//
// For each mutant, Stryker's jest runner runs jest with a --testNamePattern naming the tests that
// cover the mutant. Jest still loads every test file to find those names: about 70 ms a file, so
// 3.5 s a mutant for loading files that run nothing. This sequencer skips those files. In the dry
// run (no name pattern: every test runs) it records which file holds each test; in a mutant run it
// keeps the files holding a test whose full name the pattern matches, matched exactly as jest
// matches it. The tests that run, and so what kills a mutant, are the same: only files with no
// selected test are left out. When in doubt (no record yet, or a name it does not know) it keeps
// every file.
import fs from 'node:fs';
import path from 'node:path';

const mapFile = (rootDir) => path.join(rootDir, '.stryker-test-files.json');

export default class StrykerTestSequencer {
  constructor({ globalConfig }) {
    this.globalConfig = globalConfig;
  }

  sort(tests) {
    const sorted = [...tests].sort((a, b) => a.path.localeCompare(b.path));
    const pattern = this.globalConfig.testNamePattern;
    if (!pattern) return sorted;
    let files;
    try {
      files = JSON.parse(fs.readFileSync(mapFile(this.globalConfig.rootDir), 'utf8'));
    } catch {
      return sorted;
    }
    // Stryker's pattern is `(name)|(name)|...`, each name escaped; every one must be on record.
    const names = pattern.slice(1, -1).split(')|(');
    const unescape = (name) => name.replace(/\\(.)/g, '$1');
    if (!names.every((name) => Object.hasOwn(files, unescape(name)))) return sorted;
    const selected = new RegExp(pattern, 'i');
    const keep = new Set();
    for (const [fullName, paths] of Object.entries(files)) {
      if (selected.test(fullName)) for (const file of paths) keep.add(file);
    }
    return sorted.filter((test) => keep.has(test.path));
  }

  cacheResults(_tests, results) {
    if (this.globalConfig.testNamePattern) return;
    const files = Object.create(null);
    for (const file of results.testResults) {
      for (const test of file.testResults) {
        (files[test.fullName] ??= []).push(file.testFilePath);
      }
    }
    fs.writeFileSync(mapFile(this.globalConfig.rootDir), JSON.stringify(files));
  }

  allFailedTests(tests) {
    return tests;
  }
}
