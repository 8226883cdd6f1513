// The harness that applies the W3C WG's assertions must itself be right before an export is
// judged by it: all 79 MUST assertions of the fixtures are run, the WG's correct samples
// meet them and each of its incorrect samples fails at least one.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MUST_TESTS, W3CAssertions } from '../../support/w3c-assertions.js';

const SAMPLES = fileURLToPath(
  new URL('../../fixtures/w3c-web-annotation-tests/tools/samples/', import.meta.url),
);
/** Samples the final model made wrong: Composite, List and Independents targets were dropped from it. */
const DROPPED_FROM_MODEL = ['anno11.json', 'anno12.json', 'anno13.json'];

const w3c = new W3CAssertions();
const musts = {
  annotation: w3c.listed(MUST_TESTS.annotation),
  collection: w3c.listed(MUST_TESTS.collection),
  page: w3c.listed(MUST_TESTS.page),
};

function samples(kind: 'correct' | 'incorrect'): Array<[string, unknown]> {
  return readdirSync(SAMPLES + kind)
    .filter((name) => name.startsWith('anno'))
    .sort()
    .flatMap((name): Array<[string, unknown]> => {
      try {
        return [[name, JSON.parse(readFileSync(`${SAMPLES}${kind}/${name}`, 'utf8'))]];
      } catch {
        // Some incorrect samples are not JSON at all; there is nothing to validate.
        return [];
      }
    });
}

describe('the W3C Web Annotation MUST assertions', () => {
  it('are every must assertion of the fixtures, listed by the three Musts tests', () => {
    const listed = [...musts.annotation, ...musts.collection, ...musts.page];
    expect(listed.every((a) => a.type === 'must')).toBe(true);
    expect(listed.map((a) => a.file).sort()).toEqual(w3c.allMusts());
    expect(listed).toHaveLength(79);
  });

  it('pass the WG’s correct sample annotations and collection', () => {
    for (const [name, sample] of samples('correct')) {
      if (DROPPED_FROM_MODEL.includes(name)) continue;
      expect({ name, failures: w3c.failures(musts.annotation, sample) }).toEqual({ name, failures: [] });
    }
    const collection = JSON.parse(readFileSync(SAMPLES + 'correct/collection1.json', 'utf8')) as unknown;
    expect(w3c.failures([...musts.collection, ...musts.page], collection)).toEqual([]);
  });

  it('fail each of the WG’s incorrect sample annotations', () => {
    const incorrect = samples('incorrect');
    expect(incorrect.length).toBeGreaterThan(20);
    for (const [name, sample] of incorrect) {
      expect({ name, failing: w3c.failures(musts.annotation, sample).length > 0 }).toEqual({
        name,
        failing: true,
      });
    }
  });
});
