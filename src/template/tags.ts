// CloudFormation's short-form tags (!Ref, !GetAtt, !Sub …) for the yaml parser: each is kept as a
// tagged node, never evaluated, so the template can be read as data and written back as it was.
import type { CollectionTag, ScalarTag } from 'yaml';

type Form = 'scalar' | 'seq' | 'map';

/** Each short form and the YAML node kinds CloudFormation accepts after it (its documented syntax). */
export const SHORT_FORMS: Readonly<Record<string, readonly Form[]>> = {
  Ref: ['scalar'],
  Condition: ['scalar'],
  GetAtt: ['scalar', 'seq'],
  Sub: ['scalar', 'seq'],
  Base64: ['scalar', 'map'],
  ImportValue: ['scalar', 'map'],
  GetAZs: ['scalar', 'map'],
  Transform: ['map'],
  Join: ['seq'],
  Select: ['seq'],
  Split: ['seq'],
  FindInMap: ['seq'],
  Cidr: ['seq'],
  If: ['seq'],
  Equals: ['seq'],
  And: ['seq'],
  Or: ['seq'],
  Not: ['seq'],
  // AWS::LanguageExtensions
  Length: ['seq', 'map'],
  ToJsonString: ['seq', 'map'],
};

export const SHORT_FORM_TAGS = Object.keys(SHORT_FORMS).map((name) => `!${name}`);

/** The long form a short tag stands for: !Ref → Ref, !Condition → Condition, !Sub → Fn::Sub. */
export function longName(tag: string): string {
  const name = tag.slice(1);
  return name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`;
}

/** The tags for yaml's `customTags`: the node stays as parsed, with its tag, for the Document API. */
export function cloudFormationTags(): (ScalarTag | CollectionTag)[] {
  const keep = <T>(value: T): T => value;
  return Object.entries(SHORT_FORMS).flatMap(([name, forms]) => forms.map((form): ScalarTag | CollectionTag =>
    form === 'scalar' ? { tag: `!${name}`, resolve: keep } : { tag: `!${name}`, collection: form, resolve: keep }));
}
