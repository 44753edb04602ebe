import type { CfnElement } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTES, routeKey } from '../../functions/core/api/route-table';
import { STAGES } from '../../infra/config/stage-config';
import { buildStage } from '../support/synth';

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

describe.each(['dev', 'prod'] as const)('the %s API stack', (stage) => {
  let api: Template;
  let stackName: string;
  let annotations: Annotations;
  let built: ReturnType<typeof buildStage>;
  beforeAll(() => {
    built = buildStage(stage);
    api = Template.fromStack(built.api);
    stackName = built.api.stackName;
    annotations = Annotations.fromStack(built.api);
  });

  it('is its own stack, ImageLabeling-<stage>-Api', () => {
    expect(stackName).toBe(`ImageLabeling-${stage}-Api`);
  });

  it('creates exactly the routes of the route table', () => {
    const routes = Object.values(api.findResources('AWS::ApiGatewayV2::Route') as Resources);
    expect(routes.map((route) => route.Properties.RouteKey).sort()).toEqual(
      Object.values(ROUTES).map(routeKey).sort(),
    );
  });

  it('puts the Cognito JWT authorizer with the route scopes on every route but GET /openapi.json', () => {
    api.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      // The machine client and the web console's client (console.test.ts).
      JwtConfiguration: { Audience: [Match.anyValue(), Match.anyValue()], Issuer: Match.anyValue() },
    });
    for (const route of Object.values(ROUTES)) {
      const scopes = 'scopes' in route ? [...route.scopes] : undefined;
      api.hasResourceProperties('AWS::ApiGatewayV2::Route', {
        RouteKey: routeKey(route),
        AuthorizationType: scopes ? 'JWT' : 'NONE',
        ...(scopes ? { AuthorizationScopes: scopes, AuthorizerId: Match.anyValue() } : {}),
      });
    }
  });

  it('integrates every route with the live alias of the API function (payload 2.0)', () => {
    const aliases = api.findResources('AWS::Lambda::Alias') as Resources;
    const [aliasId, alias] = Object.entries(aliases)[0] ?? [];
    expect(Object.keys(aliases)).toHaveLength(1);
    expect(alias?.Properties.Name).toBe('live');
    const integrations = Object.values(api.findResources('AWS::ApiGatewayV2::Integration') as Resources);
    expect(integrations).toHaveLength(1);
    expect(integrations[0]?.Properties).toMatchObject({
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
      IntegrationUri: { Ref: aliasId },
    });
    const routes = Object.values(api.findResources('AWS::ApiGatewayV2::Route') as Resources);
    for (const route of routes) expect(JSON.stringify(route.Properties.Target)).toContain('integrations/');
    api.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { Ref: aliasId },
      Principal: 'apigateway.amazonaws.com',
    });
  });

  it('logs every request of the $default stage and throttles it from the stage config', () => {
    api.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      AccessLogSettings: {
        DestinationArn: Match.anyValue(),
        Format: Match.stringLikeRegexp('\\$context.requestId'),
      },
      DefaultRouteSettings: {
        ThrottlingRateLimit: STAGES[stage].api.throttlingRateLimit,
        ThrottlingBurstLimit: STAGES[stage].api.throttlingBurstLimit,
      },
    });
    api.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: STAGES[stage].logRetentionDays });
  });

  it('declares no CORS in the template: it is set at deploy time for the console origins (console.test.ts)', () => {
    api.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'HTTP',
      CorsConfiguration: Match.absent(),
    });
  });

  it('defines the read and write scopes and a client-credentials client', () => {
    api.hasResourceProperties('AWS::Cognito::UserPoolResourceServer', {
      Identifier: 'labels',
      Scopes: [Match.objectLike({ ScopeName: 'read' }), Match.objectLike({ ScopeName: 'write' })],
    });
    api.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: true,
      AllowedOAuthFlows: ['client_credentials'],
    });
  });

  it('keeps the cursor key in Secrets Manager, never in the environment', () => {
    api.hasResourceProperties('AWS::SecretsManager::Secret', { GenerateSecretString: Match.anyValue() });
    const fn = Object.values(api.findResources('AWS::Lambda::Function') as Resources).find((resource) =>
      resource.Properties.Description?.toString().startsWith('The labels API'),
    );
    const variables =
      (fn?.Properties.Environment as { Variables: Record<string, unknown> } | undefined)?.Variables ?? {};
    expect(Object.keys(variables)).toEqual(
      expect.arrayContaining(['LABELS_TABLE_NAME', 'IMAGES_BUCKET', 'CURSOR_SECRET_ID']),
    );
    expect(JSON.stringify(variables.CURSOR_SECRET_ID)).toContain('Ref');
  });

  it('grants the API function least privilege: no wildcard actions, puts only under uploads/', () => {
    const role = { Ref: built.api.getLogicalId(built.api.function.role.node.defaultChild as CfnElement) };
    const policies = Object.values(api.findResources('AWS::IAM::Policy') as Resources).filter((policy) =>
      (policy.Properties.Roles as unknown[]).some((ref) => JSON.stringify(ref) === JSON.stringify(role)),
    );
    expect(policies.length).toBeGreaterThan(0);
    const statements = policies.flatMap(
      (policy) =>
        (
          policy.Properties.PolicyDocument as {
            Statement: { Action: string | string[]; Resource: unknown }[];
          }
        ).Statement,
    );
    const actions = statements.flatMap((statement) => [statement.Action].flat());
    expect(actions.filter((action) => action.includes('*'))).toEqual([]);
    const put = statements.find((statement) => [statement.Action].flat().includes('s3:PutObject'));
    expect(JSON.stringify(put?.Resource)).toContain('/uploads/*');
    expect(actions).not.toContain('dynamodb:Scan');
  });

  it('passes cdk-nag with every finding acknowledged', () => {
    expect(annotations.findError('*', Match.anyValue())).toEqual([]);
  });
});
