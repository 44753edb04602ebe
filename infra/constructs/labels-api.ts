/**
 * The labels API: an API Gateway HTTP API whose routes (functions/core/api/route-table.ts)
 * all integrate the `live` alias of one function, a `$default` stage with access logs and
 * throttling from the stage config, and a Cognito user pool whose resource server defines the
 * read and write scopes that a JWT authorizer checks on every route except GET /openapi.json.
 * Its CORS is not declared here: it names the web console's CloudFront domain, which depends on
 * this API's URL (infra/constructs/browser-cors.ts sets it after both exist).
 */
import { Aws, CfnOutput, Duration, Lazy, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { RESOURCE_SERVER, ROUTES, type RouteSpec } from '../../functions/core/api/route-table';
import type { StageConfig } from '../config/stage-config';

export interface LabelsApiProps {
  config: StageConfig;
  /** The API function's `live` alias: every route integrates it. */
  handler: lambda.IFunction;
  removalPolicy: RemovalPolicy;
}

/** One JSON line per request, with the HTTP API's own variables. */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    ip: '$context.identity.sourceIp',
    requestTime: '$context.requestTime',
    method: '$context.httpMethod',
    routeKey: '$context.routeKey',
    status: '$context.status',
    protocol: '$context.protocol',
    responseLength: '$context.responseLength',
    responseLatency: '$context.responseLatency',
    integrationLatency: '$context.integrationLatency',
    integrationError: '$context.integrationErrorMessage',
    authorizerError: '$context.authorizer.error',
    clientId: '$context.authorizer.claims.client_id',
  }),
);

export class LabelsApi extends Construct {
  readonly api: apigw.HttpApi;
  readonly stage: apigw.HttpStage;
  readonly userPool: cognito.UserPool;
  readonly client: cognito.UserPoolClient;
  readonly domain: cognito.UserPoolDomain;
  readonly accessLogs: logs.LogGroup;
  /** The API's scopes, for app clients: `labels/read` and `labels/write`. */
  readonly scopes: { read: cognito.OAuthScope; write: cognito.OAuthScope };
  /** The user pool's OpenID Connect issuer (`https://cognito-idp.<region>.amazonaws.com/<pool id>`). */
  readonly issuer: string;
  /** The app clients whose access tokens the authorizer accepts (its audience). */
  private readonly audience: cognito.IUserPoolClient[] = [];

  constructor(scope: Construct, id: string, props: LabelsApiProps) {
    super(scope, id);
    const { config } = props;

    this.userPool = this.createUserPool(props);
    this.scopes = this.addScopes();
    this.issuer = `https://cognito-idp.${Stack.of(this).region}.amazonaws.com/${this.userPool.userPoolId}`;
    this.domain = this.userPool.addDomain('Domain', {
      cognitoDomain: { domainPrefix: `image-labeling-${config.stage}-${Aws.ACCOUNT_ID}` },
      // Managed login: its sign-in pages take a new user through the TOTP setup that the pool's
      // required MFA asks for (the console client's style: infra/constructs/web-console.ts).
      managedLoginVersion: cognito.ManagedLoginVersion.NEWER_MANAGED_LOGIN,
    });
    // A machine client (client credentials) with both scopes; add narrower clients as needed.
    this.client = this.userPool.addClient('ApiClient', {
      generateSecret: true,
      authFlows: {},
      oAuth: {
        flows: { clientCredentials: true },
        scopes: [this.scopes.read, this.scopes.write],
      },
      accessTokenValidity: Duration.hours(1),
    });
    this.acceptClient(this.client);

    this.api = new apigw.HttpApi(this, 'Http', {
      description: `Image labeling (${config.stage}): the labels API.`,
      createDefaultStage: false,
      // No corsPreflight: see the header comment.
    });
    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: config.logRetentionDays,
      removalPolicy: props.removalPolicy,
    });
    this.stage = new apigw.HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: config.api.throttlingRateLimit, burstLimit: config.api.throttlingBurstLimit },
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(this.accessLogs),
        format: ACCESS_LOG_FORMAT,
      },
    });
    this.addRoutes(props.handler);
    this.addOutputs();
  }

  /** Closed sign-up, e-mail sign-in, strong passwords and required TOTP MFA. */
  private createUserPool(props: LabelsApiProps): cognito.UserPool {
    const pool = new cognito.UserPool(this, 'Users', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      passwordPolicy: {
        minLength: 14,
        requireDigits: true,
        requireLowercase: true,
        requireUppercase: true,
        requireSymbols: true,
      },
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      removalPolicy: props.removalPolicy,
      deletionProtection: props.config.deletionProtection,
    });
    Validations.of(pool).acknowledge({
      id: 'AwsSolutions-COG8',
      reason:
        'Threat protection needs the Cognito Plus feature plan; API callers are machine clients (client credentials), and sign-up is closed.',
    });
    return pool;
  }

  /** The resource server and its read and write scopes. */
  private addScopes(): LabelsApi['scopes'] {
    const readScope = new cognito.ResourceServerScope({
      scopeName: 'read',
      scopeDescription: 'Read images and labels',
    });
    const writeScope = new cognito.ResourceServerScope({
      scopeName: 'write',
      scopeDescription: 'Upload and delete images',
    });
    const resourceServer = this.userPool.addResourceServer('Labels', {
      identifier: RESOURCE_SERVER,
      scopes: [readScope, writeScope],
    });
    return {
      read: cognito.OAuthScope.resourceServer(resourceServer, readScope),
      write: cognito.OAuthScope.resourceServer(resourceServer, writeScope),
    };
  }

  /** Every route of ROUTES, integrating the handler, behind the JWT authorizer when it has scopes. */
  private addRoutes(handler: lambda.IFunction): void {
    // The same JWT authorizer HttpUserPoolAuthorizer makes, with an audience that clients created
    // later (the console's, which needs this API's URL first) can join: see acceptClient.
    const authorizer = new HttpJwtAuthorizer('Cognito', this.issuer, {
      jwtAudience: Lazy.list({ produce: () => this.audience.map((client) => client.userPoolClientId) }),
    });
    const integration = new HttpLambdaIntegration('Handler', handler, {
      payloadFormatVersion: apigw.PayloadFormatVersion.VERSION_2_0,
    });
    for (const route of Object.values(ROUTES) as RouteSpec[]) {
      const [created] = this.api.addRoutes({
        path: route.path,
        methods: [apigw.HttpMethod[route.method]],
        integration,
        ...(route.scopes
          ? { authorizer, authorizationScopes: [...route.scopes] }
          : { authorizer: new apigw.HttpNoneAuthorizer() }),
      });
      if (!route.scopes && created) {
        Validations.of(created).acknowledge(
          {
            id: 'AwsSolutions-APIG4',
            reason: 'GET /openapi.json is the public API description; it reads no data.',
          },
          {
            id: 'AwsSolutions-COG4',
            reason: 'GET /openapi.json is the public API description; it reads no data.',
          },
        );
      }
    }
  }

  /** What a caller needs: the URL, the pool, the machine client and the token endpoint. */
  private addOutputs(): void {
    const stack = Stack.of(this);
    new CfnOutput(stack, 'ApiUrl', { value: this.api.apiEndpoint });
    new CfnOutput(stack, 'UserPoolId', { value: this.userPool.userPoolId });
    new CfnOutput(stack, 'ApiClientId', { value: this.client.userPoolClientId });
    new CfnOutput(stack, 'TokenUrl', { value: `${this.domain.baseUrl()}/oauth2/token` });
  }

  /** Lets the authorizer accept this app client's access tokens. */
  acceptClient(client: cognito.IUserPoolClient): void {
    this.audience.push(client);
  }
}
