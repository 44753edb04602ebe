/**
 * Replaces `${Key}` with `substitutions[Key]` for every key, as CloudFormation does for
 * `AWS::StepFunctions::StateMachine.DefinitionSubstitutions` (what CDK's `definitionSubstitutions`
 * compiles to): a plain textual replacement, values inserted verbatim (no JSON escaping), keys
 * that do not occur are ignored.
 *
 * Unlike CloudFormation (which leaves unknown `${...}` untouched and lets the definition fail later,
 * or worse, pass), this throws an Error listing every `${...}` left after substitution.
 */
export function substituteDefinition(text: string, substitutions: Record<string, string>): string {
  let result = text;
  for (const [key, value] of Object.entries(substitutions)) {
    result = result.split(`\${${key}}`).join(value);
  }
  const left = [...new Set(result.match(/\$\{[^}]*\}/g) ?? [])];
  if (left.length > 0) {
    const known = Object.keys(substitutions);
    throw new Error(
      `Definition has unresolved substitution placeholder(s): ${left.join(', ')} ` +
        `(substitutions given: ${known.length > 0 ? known.join(', ') : 'none'})`,
    );
  }
  return result;
}
