import type { CfnElement } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { API_CORS, CONSOLE_SCOPES, IMAGES_BUCKET_CORS } from '../../infra/config/console';
import { STAGES } from '../../infra/config/stage-config';
import type { ApiStack } from '../../infra/stacks/api-stack';
import { buildStage } from '../support/synth';

type Resource = { Type: string; Properties: Record<string, unknown> };
type Resources = Record<string, Resource>;

/** Renders a resolved CloudFormation value as text: `{Ref: X}` as <X>, `{Fn::GetAtt: [X, A]}` as <X.A>. */
function text(value: unknown): string {
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  const object = value as Record<string, unknown>;
  if ('Ref' in object) return `<${String(object.Ref)}>`;
  if ('Fn::GetAtt' in object) return `<${(object['Fn::GetAtt'] as string[]).join('.')}>`;
  if ('Fn::Join' in object) {
    const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
    return parts.map(text).join(separator);
  }
  throw new Error(`unexpected value ${JSON.stringify(value)}`);
}

/** A custom resource's SDK call (AwsCustomResource stores it as a JSON string with tokens). */
function sdkCall(resource: Resource, event: 'Create' | 'Update' | 'Delete') {
  return JSON.parse(text(resource.Properties[event])) as {
    service: string;
    action: string;
    parameters: Record<string, unknown>;
  };
}

describe.each(['dev', 'prod'] as const)('the %s web console', (stage) => {
  let stack: ApiStack;
  let template: Template;
  const id = (element: unknown) => `<${stack.getLogicalId(element as CfnElement)}`;
  let distribution: string;
  let apiUrl: string;
  let authDomain: string;
  const imagesOrigin = `https://image-labeling-${stage}-images-<AWS::AccountId>-<AWS::Region>.s3.<AWS::Region>.<AWS::URLSuffix>`;
  const issuerOrigin = 'https://cognito-idp.<AWS::Region>.amazonaws.com';
  const extraOrigins: readonly string[] = STAGES[stage].console.extraOrigins;
  let consoleOrigins: string[];

  beforeAll(() => {
    stack = buildStage(stage).api;
    template = Template.fromStack(stack);
    distribution = `https://${id(stack.console.distribution.node.defaultChild)}.DomainName>`;
    apiUrl = `${id(stack.labelsApi.api.node.defaultChild)}.ApiEndpoint>`;
    authDomain = `https://${id(stack.labelsApi.domain.node.defaultChild)}>.auth.<AWS::Region>.amazoncognito.com`;
    consoleOrigins = [distribution, ...extraOrigins];
  });

  const one = (type: string, filter: (resource: Resource) => boolean = () => true) => {
    const found = Object.values(template.findResources(type) as Resources).filter(filter);
    expect(found).toHaveLength(1);
    return found[0] as Resource;
  };

  it('keeps the assets in a private, TLS-only, encrypted bucket that only CloudFront (OAC) reads', () => {
    const bucketId = stack.getLogicalId(stack.console.bucket.node.defaultChild as CfnElement);
    template.hasResource('AWS::S3::Bucket', {
      Properties: Match.objectLike({
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'bucket/' }),
      }),
      DeletionPolicy: stage === 'prod' ? 'Retain' : 'Delete',
    });
    const policy = one(
      'AWS::S3::BucketPolicy',
      (resource) => text(resource.Properties.Bucket) === `<${bucketId}>`,
    );
    const statements = (policy.Properties.PolicyDocument as { Statement: Record<string, unknown>[] })
      .Statement;
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
    const reads = statements.filter(
      (statement) => statement.Effect === 'Allow' && statement.Action === 's3:GetObject',
    );
    expect(reads).toHaveLength(1);
    const [read] = reads as { Principal: unknown; Condition: { StringEquals: Record<string, unknown> } }[];
    expect(read?.Principal).toEqual({ Service: 'cloudfront.amazonaws.com' });
    expect(text(read?.Condition.StringEquals['AWS:SourceArn'])).toContain(
      id(stack.console.distribution.node.defaultChild),
    );
  });

  it('serves it over HTTPS through origin access control, with index.html for every app route', () => {
    const config = one('AWS::CloudFront::Distribution').Properties.DistributionConfig as Record<
      string,
      unknown
    >;
    expect(config).toMatchObject({
      DefaultRootObject: 'index.html',
      DefaultCacheBehavior: { ViewerProtocolPolicy: 'redirect-to-https', AllowedMethods: ['GET', 'HEAD'] },
      CustomErrorResponses: [
        { ErrorCode: 403, ResponseCode: 200, ResponsePagePath: '/index.html' },
        { ErrorCode: 404, ResponseCode: 200, ResponsePagePath: '/index.html' },
      ],
      Logging: { Prefix: 'cloudfront/' },
    });
    const [origin] = config.Origins as Record<string, unknown>[];
    expect(origin?.OriginAccessControlId).toBeDefined();
    expect(text((config.DefaultCacheBehavior as Record<string, unknown>).ResponseHeadersPolicyId)).toBe(
      `${id(stack.console.headers.node.defaultChild)}>`,
    );
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: { OriginAccessControlOriginType: 's3', SigningBehavior: 'always' },
    });
  });

  it('sends a strict CSP: network calls to the API, the sign-in domain, the issuer and the images bucket only', () => {
    const headers = (
      one('AWS::CloudFront::ResponseHeadersPolicy').Properties.ResponseHeadersPolicyConfig as {
        SecurityHeadersConfig: Record<string, Record<string, unknown>>;
      }
    ).SecurityHeadersConfig;
    const csp = text(headers.ContentSecurityPolicy?.ContentSecurityPolicy);
    const directives = new Map(
      csp.split('; ').map((directive) => {
        const [name = '', ...values] = directive.split(' ');
        return [name, values] as const;
      }),
    );
    expect(directives.get('connect-src')).toEqual(["'self'", apiUrl, authDomain, issuerOrigin, imagesOrigin]);
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('img-src')).toEqual(["'self'", 'blob:', 'data:', imagesOrigin]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(csp).not.toContain('localhost');
    expect(headers).toMatchObject({
      ContentSecurityPolicy: { Override: true },
      StrictTransportSecurity: {
        AccessControlMaxAgeSec: 63_072_000,
        IncludeSubdomains: true,
        Override: true,
      },
      FrameOptions: { FrameOption: 'DENY' },
      ContentTypeOptions: { Override: true },
      ReferrerPolicy: { ReferrerPolicy: 'strict-origin-when-cross-origin' },
    });
  });

  it('signs in with its own public app client: code flow only, no secret, its origins only', () => {
    const client = one(
      'AWS::Cognito::UserPoolClient',
      (resource) => resource.Properties.ClientName === `image-labeling-${stage}-console`,
    );
    expect(client.Properties).toMatchObject({
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
      SupportedIdentityProviders: ['COGNITO'],
      PreventUserExistenceErrors: 'ENABLED',
      EnableTokenRevocation: true,
    });
    const scopes = (client.Properties.AllowedOAuthScopes as unknown[]).map(text);
    const resourceServer = id(
      stack.labelsApi.node.findChild('Users').node.findChild('Labels').node.defaultChild,
    );
    expect(scopes).toEqual(CONSOLE_SCOPES.map((scope) => scope.replace(/^labels\//, `${resourceServer}>/`)));
    expect((client.Properties.CallbackURLs as unknown[]).map(text)).toEqual(
      consoleOrigins.map((origin) => `${origin}/auth/callback`),
    );
    expect((client.Properties.LogoutURLs as unknown[]).map(text)).toEqual(
      consoleOrigins.map((origin) => `${origin}/`),
    );
  });

  it("has the API's authorizer accept the console client's tokens as well as the machine client's", () => {
    const authorizer = one('AWS::ApiGatewayV2::Authorizer');
    const audience = ((authorizer.Properties.JwtConfiguration as { Audience: unknown[] }).Audience ?? []).map(
      text,
    );
    expect(audience).toEqual([
      `${id(stack.labelsApi.client.node.defaultChild)}>`,
      `${id(stack.console.client.node.defaultChild)}>`,
    ]);
  });

  it('writes config.json at deploy time with the API URL, issuer, client id and sign-in domain', () => {
    expect(stack.resolve(stack.console.runtimeConfig)).toEqual({
      apiUrl: {
        'Fn::GetAtt': [
          stack.getLogicalId(stack.labelsApi.api.node.defaultChild as CfnElement),
          'ApiEndpoint',
        ],
      },
      authority: expect.anything(),
      clientId: { Ref: stack.getLogicalId(stack.console.client.node.defaultChild as CfnElement) },
      authDomain: expect.anything(),
      stage,
    });
    const resolved = stack.resolve(stack.console.runtimeConfig) as Record<string, unknown>;
    expect(text(resolved.authority)).toBe(
      `https://cognito-idp.<AWS::Region>.amazonaws.com/${id(stack.labelsApi.userPool.node.defaultChild)}>`,
    );
    expect(text(resolved.authDomain)).toBe(authDomain);
    // The page deployment carries config.json's tokens as markers, and invalidates the cache.
    const pages = one(
      'Custom::CDKBucketDeployment',
      (resource) => JSON.stringify(resource.Properties.Exclude) === '["assets/*"]',
    );
    const markers = Object.values(
      (pages.Properties.SourceMarkers as Record<string, unknown>[]).find((m) => Object.keys(m).length > 0) ??
        {},
    ).map(text);
    expect(markers).toEqual(
      expect.arrayContaining([apiUrl, `${id(stack.console.client.node.defaultChild)}>`]),
    );
    expect(pages.Properties).toMatchObject({
      SystemMetadata: { 'cache-control': 'no-cache' },
      DistributionPaths: ['/*'],
      Prune: true,
    });
    const assets = one(
      'Custom::CDKBucketDeployment',
      (resource) => JSON.stringify(resource.Properties.Include) === '["assets/*"]',
    );
    expect(assets.Properties).toMatchObject({
      Include: ['assets/*'],
      SystemMetadata: { 'cache-control': 'public, max-age=31536000, immutable' },
      Prune: false,
    });
  });

  it('allows CORS on the API and the images bucket from exactly the console origins', () => {
    const api = sdkCall(one('Custom::HttpApiCors'), 'Update');
    expect(api).toMatchObject({ service: 'ApiGatewayV2', action: 'UpdateApi' });
    expect(api.parameters).toEqual({
      ApiId: `${id(stack.labelsApi.api.node.defaultChild)}>`,
      CorsConfiguration: {
        AllowOrigins: [...consoleOrigins, ...STAGES[stage].api.corsOrigins],
        AllowMethods: [...API_CORS.allowMethods],
        AllowHeaders: [...API_CORS.allowHeaders],
        ExposeHeaders: [...API_CORS.exposeHeaders],
        MaxAge: API_CORS.maxAgeSeconds,
      },
    });
    expect(sdkCall(one('Custom::HttpApiCors'), 'Delete').action).toBe('DeleteCorsConfiguration');
    const bucket = sdkCall(one('Custom::BucketCors'), 'Create');
    expect(bucket).toMatchObject({ service: 'S3', action: 'PutBucketCors' });
    expect(bucket.parameters).toEqual({
      Bucket: `image-labeling-${stage}-images-<AWS::AccountId>-<AWS::Region>`,
      CORSConfiguration: {
        CORSRules: [
          {
            AllowedOrigins: consoleOrigins,
            AllowedMethods: [...IMAGES_BUCKET_CORS.allowedMethods],
            AllowedHeaders: [...IMAGES_BUCKET_CORS.allowedHeaders],
            ExposeHeaders: [...IMAGES_BUCKET_CORS.exposedHeaders],
            MaxAgeSeconds: IMAGES_BUCKET_CORS.maxAgeSeconds,
          },
        ],
      },
    });
    expect(sdkCall(one('Custom::BucketCors'), 'Delete').action).toBe('DeleteBucketCors');
  });

  it(stage === 'prod' ? 'lets no localhost origin in' : 'lets the local console in', () => {
    const everything = JSON.stringify(template.toJSON());
    if (stage === 'prod') expect(everything).not.toContain('localhost');
    else expect(extraOrigins).toEqual(['http://localhost:5173']);
  });

  it('outputs the console URL and its client id', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(text(outputs.ConsoleUrl?.Value)).toBe(distribution);
    expect(text(outputs.ConsoleClientId?.Value)).toBe(`${id(stack.console.client.node.defaultChild)}>`);
  });

  it('passes cdk-nag with every finding acknowledged', () => {
    expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([]);
  });
});
