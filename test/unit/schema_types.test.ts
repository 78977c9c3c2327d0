// The schema is the source of the types (lib/options/schema.ts): builders infer the type of the
// values a spec accepts, validate() returns it, and rules, composite parameters and each method's
// parameters are typed from their schemas. The @ts-expect-error lines are checked by ts-jest's
// compile: a type that stops rejecting them, or an expectation that stops compiling, fails here.
import type { ExplainConfigBase, GradientConfig, OcclusionConfig, SmoothGradConfig } from '../../lib/explain/options';
import { compositeParams } from '../../lib/explain/request';
import { EXPLAIN_CONFIG_FIELDS, METHOD_PARAMS } from '../../lib/explain/schema';
import { COMPOSITE_PARAMS, CompositeParams, RULE_NAMES, RULE_PARAMS, RuleName, RuleSpec } from '../../lib/explain/rule_schema';
import { anyOf, Infer, integer, listOf, nameOf, number, object, oneOf, required, string, validate } from '../../lib/options/schema';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
const same = <A, B>(proof: Equal<A, B>) => expect(proof).toBe(true);

describe('the builders infer the type of the values a spec accepts', () => {
  const spec = object({
    size: required(integer({ min: 1 })),
    name: string(),
    mode: oneOf('a', 'b', false),
    noun: nameOf('colour', ['red', 'blue']),
    list: listOf(anyOf(number(), oneOf(null))),
  });

  test('required keys, optional keys, literals and lists', () => {
    same<Infer<typeof spec>, {
      size: number;
    } & {
      name?: string;
      mode?: 'a' | 'b' | false;
      noun?: 'red' | 'blue';
      list?: Array<number | null>;
    }>(true);
  });

  test('validate returns the inferred type, checked at run time', () => {
    const value: { size: number; name?: string } = validate(spec, { size: 3, name: 'x' }, 'options');
    expect(value.size).toBe(3);
    // @ts-expect-error the spec's size is a number, not a string
    const wrong: { size: string } = validate(spec, { size: 3 }, 'options');
    void wrong;
    expect(() => validate(spec, { size: 0 }, 'options')).toThrow('options: size must be a positive integer, got 0');
  });

  test('a tagged object is one type per case; the fallback case may leave the tag out', () => {
    const tagged = object({ common: number() }, { tag: { key: 'kind', fallback: 'plain', cases: { plain: {}, sized: { size: required(integer()) } } } });
    type T = Infer<typeof tagged>;
    const plain: T = { common: 1 };
    const sized: T = { kind: 'sized', size: 2 };
    // @ts-expect-error the sized case requires its size
    const missing: T = { kind: 'sized' };
    void [plain, sized, missing];
  });
});

describe('rules, composite parameters and method parameters come from their schemas', () => {
  test('RuleName is the schema\'s rule names, RULE_NAMES lists them', () => {
    same<RuleName, keyof typeof RULE_PARAMS>(true);
    expect([...RULE_NAMES]).toEqual(Object.keys(RULE_PARAMS));
    const gamma: RuleSpec = { rule: 'gamma', gamma: 0.25 };
    // @ts-expect-error a rule the schema does not have
    const unknown: RuleSpec = { rule: 'gamma-plus' };
    // @ts-expect-error a parameter no rule takes
    const typo: RuleSpec = { rule: 'gamma', gama: 0.25 };
    void [gamma, unknown, typo];
  });

  test('composite parameters: the type and the pick are the schema\'s keys', () => {
    same<keyof CompositeParams, keyof typeof COMPOSITE_PARAMS>(true);
    // Every key reaches the composites (before, a hand-written pick dropped a key it did not list).
    const config = Object.fromEntries(Object.keys(COMPOSITE_PARAMS).map((key, i) => [key, i + 0.5])) as CompositeParams;
    expect(compositeParams({ ...config, rules: [] } as CompositeParams)).toEqual(config);
  });

  test('each method takes its schema\'s parameters, the others\' are type errors', () => {
    same<Exclude<keyof SmoothGradConfig, keyof ExplainConfigBase | 'method'>, 'samples' | 'noiseLevel' | 'seed' | 'maxBatch' | 'window' | 'stride'>(true);
    const smooth: SmoothGradConfig = { method: 'smoothgrad', samples: 4, noiseLevel: 0.1, seed: 2, maxBatch: 8 };
    const occlusion: OcclusionConfig = { method: 'occlusion', window: [4, 4], stride: 2 };
    // @ts-expect-error samples are SmoothGrad's and Integrated Gradients', not the gradient's
    const gradient: GradientConfig = { method: 'gradient', samples: 4 };
    void [smooth, occlusion, gradient];
    expect(Object.keys(METHOD_PARAMS).sort()).toEqual(['gradient', 'integrated-gradients', 'lrp', 'occlusion', 'smoothgrad']);
  });

  test('the config type has the schema\'s keys, no more, no fewer', () => {
    same<keyof ExplainConfigBase, keyof typeof EXPLAIN_CONFIG_FIELDS>(true);
  });
});
