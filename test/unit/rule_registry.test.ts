// TypeScript's rule schema against the native rule registry (docs/explain.md, "Adding a rule"): a
// rule registered in native/core/rules/ but missing from RULE_NAMES / RULE_PARAMS, a parameter one
// side knows and the other does not, or a TypeScript parameter the binding never reads (it would be
// accepted and silently ignored) fails here instead of at a user's config; so does a layer category
// composites name (lib/explain/layer_category.ts) that the operator table does not have.
import { RULE_NAMES, RuleName } from '../../lib/explain/composites';
import { COMPOSITE_CATEGORIES } from '../../lib/explain/layer_category';
import { loadNative } from '../../lib/native/binding';
import { RULE_PARAMS } from '../../lib/explain/rule_schema';

const native = loadNative().rules();

describe('the native rule registry and the TypeScript schema agree', () => {
  test('every category a composite tells apart is one the operator table has', () => {
    const categories = loadNative().ops().categories;
    for (const category of COMPOSITE_CATEGORIES) expect(categories).toContain(category);
  });

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

  test('each rule reports the operators and categories it applies to (docs/operators.md)', () => {
    const on = (name: string) => native.families.find((f) => f.name === name)?.on.map((t) => `${t.operator} ${t.category}`);
    expect(on('gamma')).toEqual(['conv2d convolution', 'linear dense']);
    expect(on('softmax-taylor')).toEqual(['softmax softmax']);
    expect(on('constant-std')).toEqual(['layer_norm layer-norm']);
    expect(on('relu-deconvnet')).toEqual(['relu activation', 'thresh_relu thresh-relu']);
    // A product of two computed tensors, not a mul by a number (elementwise).
    expect(on('uniform')).toEqual(['mul product', 'matmul attention-product']);
    // A rule for every node: everything but the sources (input, constant), in each category.
    expect(on('gradient')).not.toContain('input input');
    expect(on('gradient')).toEqual(expect.arrayContaining(['conv2d convolution', 'mul product', 'mul elementwise', 'max_pool2d max-pooling']));
  });
});
