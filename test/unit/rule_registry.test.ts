// TypeScript's rule schema against the native rule registry (docs/explain.md, "Adding a rule"): a
// rule registered in native/core/rules/ but missing from RULE_NAMES / RULE_PARAMS, a parameter one
// side knows and the other does not, or a TypeScript parameter the binding never reads (it would be
// accepted and silently ignored) fails here instead of at a user's config.
import { RULE_NAMES, RuleName } from '../../lib/explain/composites';
import { loadNative } from '../../lib/native/binding';
import { RULE_PARAMS } from '../../lib/explain/rule_schema';

const native = loadNative().rules();

describe('the native rule registry and the TypeScript schema agree', () => {
  test('the same rule names', () => {
    expect(native.families.map((f) => f.name).sort()).toEqual([...RULE_NAMES].sort());
    expect(Object.keys(RULE_PARAMS).sort()).toEqual([...RULE_NAMES].sort());
  });

  test.each(native.families.map((f) => [f.name, f]))('%s: the same parameters, each read by the binding', (name, family) => {
    expect(Object.keys(RULE_PARAMS[name as RuleName]).sort()).toEqual([...family.parameters].sort());
    for (const parameter of family.parameters) expect(native.parameters).toContain(parameter);
  });

  test('every rule applies somewhere', () => {
    for (const family of native.families) expect(family.layers || family.nodes).toBe(true);
  });
});
