/**
 * cdk-nag 3 acknowledges granular findings by their exact id, such as
 * `AwsSolutions-IAM5[Resource::arn:aws:s3:::my-bucket-<AWS::AccountId>/*]` (no prefix
 * matching). This renders a CDK value the way cdk-nag does (pseudo parameters as <AWS::X>,
 * attributes as <LogicalId.Attribute>), so
 * an acknowledgement names the resource it was written for instead of a copied string.
 */
import { Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

function render(value: unknown): string {
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  if (value && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    if ('Ref' in object) return `<${String(object.Ref)}>`;
    if ('Fn::Sub' in object && typeof object['Fn::Sub'] === 'string') {
      return object['Fn::Sub'].replace(/\$\{([^}]+)\}/g, '<$1>');
    }
    if ('Fn::GetAtt' in object) return `<${(object['Fn::GetAtt'] as string[]).join('.')}>`;
    if ('Fn::Join' in object) {
      const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
      return parts.map(render).join(separator);
    }
  }
  throw new Error(`Cannot render ${JSON.stringify(value)} as a cdk-nag finding id.`);
}

export function nagResourceFinding(scope: IConstruct, rule: string, resource: string): string {
  return `${rule}[Resource::${render(Stack.of(scope).resolve(resource))}]`;
}
