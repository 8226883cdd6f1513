/**
 * The W3C Web Annotation WG's own test assertions (tests/fixtures/w3c-web-annotation-tests,
 * copied unchanged), applied the way the WG's harness (web-platform-tests,
 * annotation-model/scripts/JSONtest.js) applies them: JSON Schema draft-04, every file of
 * `definitions/` added under its `id`, each assertion compiled alone and run against one
 * document, passing when the outcome is its `expectedResult` ("valid" unless it says
 * "invalid"). Ajv with ajv-draft-04 is the validator (the harness used Ajv too), with
 * ajv-formats in full mode for `uri` and `date-time`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Ajv04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import type { ValidateFunction } from 'ajv';

const ROOT = fileURLToPath(new URL('../fixtures/w3c-web-annotation-tests/', import.meta.url));

/** The three tests of MUST assertions, and what each one is run against. */
export const MUST_TESTS = {
  annotation: 'annotations/annotationMusts.test',
  collection: 'collections/collectionMusts.test',
  page: 'collections/pages/pageMusts.test',
} as const;
export type Subject = keyof typeof MUST_TESTS;

interface AssertionFile {
  assertionType: 'must' | 'should' | 'may';
  expectedResult?: 'valid' | 'invalid';
  errorMessage?: string;
}

export interface Assertion {
  /** Its path under the fixtures, e.g. `annotations/3.1-annotationIdValidated.json`. */
  file: string;
  type: AssertionFile['assertionType'];
  errorMessage: string;
  validate: ValidateFunction;
  expectValid: boolean;
}

export interface Failure {
  file: string;
  errorMessage: string;
  /** Ajv's errors, for the report. */
  errors: string;
}

const readJson = <T>(path: string): T => JSON.parse(readFileSync(ROOT + path, 'utf8')) as T;

/** Every `*.json` under a folder of the fixtures, as paths relative to ROOT. */
function jsonFiles(folder: string): string[] {
  return readdirSync(ROOT + folder, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.json'))
    .map((name) => `${folder}/${name}`)
    .sort();
}

/** The fixtures' assertions, compiled once. */
export class W3CAssertions {
  private readonly ajv = new Ajv04({ allErrors: true, strict: false });
  private readonly compiled = new Map<string, Assertion>();

  constructor() {
    addFormats(this.ajv, { mode: 'full', formats: ['uri', 'date-time'] });
    for (const file of jsonFiles('definitions')) {
      const schema = readJson<{ id: string }>(file);
      this.ajv.addSchema(schema, schema.id);
    }
  }

  /** The assertions a `*.test` file lists, in its order. */
  listed(test: string): Assertion[] {
    return readJson<{ assertions: string[] }>(test).assertions.map((file) => this.assertion(file));
  }

  /** Every assertion file of the fixtures whose `assertionType` is `must`. */
  allMusts(): string[] {
    return [...jsonFiles('annotations'), ...jsonFiles('collections')].filter(
      (file) => readJson<Partial<AssertionFile>>(file).assertionType === 'must',
    );
  }

  /** The assertions of `list` that `document` does not meet. */
  failures(list: readonly Assertion[], document: unknown): Failure[] {
    return list.flatMap((assertion) => {
      const valid = assertion.validate(document) as boolean;
      if (valid === assertion.expectValid) return [];
      return [
        {
          file: assertion.file,
          errorMessage: assertion.errorMessage,
          errors: this.ajv.errorsText(assertion.validate.errors),
        },
      ];
    });
  }

  private assertion(file: string): Assertion {
    const known = this.compiled.get(file);
    if (known) return known;
    const schema = readJson<AssertionFile & { id: string }>(file);
    const assertion: Assertion = {
      file,
      type: schema.assertionType,
      errorMessage: schema.errorMessage ?? file,
      // Like the WG's harness, a fresh compile per assertion, not a shared registration of it.
      validate: this.ajv.compile({ ...schema, id: undefined }),
      expectValid: (schema.expectedResult ?? 'valid') === 'valid',
    };
    this.compiled.set(file, assertion);
    return assertion;
  }
}
