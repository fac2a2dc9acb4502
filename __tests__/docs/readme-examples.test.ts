import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';

// Every ```ts block in the README is type-checked against src/, as a module of its own, so that
// the documentation cannot drift from the API. Names the examples take from the reader's app
// (a logger, a router, an Express app, …) are declared below.
const root = join(__dirname, '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]!);

const ambient = `
declare const logger: { warn(fields: object, message: string): void; debug(fields: object, message: string): void };
declare const router: { navigate(path: string): void };
declare const app: { get(path: string, handler: (req: any, res: any) => unknown): void };
declare const tokenEndpoint: string;
declare const clientId: string;
declare const accessToken: string;
declare const refreshToken: string;
declare const expiresIn: number;
declare const api: import('axios').AxiosInstance;
declare const session: import('axios-bearer-refresh').AuthSession;
declare module '@react-native-async-storage/async-storage' {
  const AsyncStorage: {
    getItem(key: string): Promise<string | null>;
    setItem(key: string, value: string): Promise<void>;
    removeItem(key: string): Promise<void>;
  };
  export default AsyncStorage;
}
`;

describe('README examples', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'abr-readme-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('has examples to check', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(8);
  });

  it('type-checks every TypeScript example against the library', () => {
    const files = blocks.map((code, index) => {
      const file = join(dir, `example-${index + 1}.ts`);
      writeFileSync(file, `${code}\nexport {};\n`);
      return file;
    });
    writeFileSync(join(dir, 'ambient.d.ts'), ambient);
    const program = ts.createProgram([...files, join(dir, 'ambient.d.ts')], {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
      types: ['node'],
      typeRoots: [join(root, 'node_modules', '@types')],
      skipLibCheck: true,
      baseUrl: root,
      paths: {
        'axios-bearer-refresh': [join(root, 'src', 'index.ts')],
        axios: [join(root, 'node_modules', 'axios', 'index.d.ts')],
      },
    });
    const problems = ts.getPreEmitDiagnostics(program).map((diagnostic) => {
      const where = diagnostic.file
        ? `${diagnostic.file.fileName.replace(dir, 'README')}:${
            diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start ?? 0).line + 1
          }`
        : '';
      return `${where} ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`;
    });
    expect(problems).toEqual([]);
  });
});
