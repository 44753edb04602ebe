/**
 * The web console on AWS: its built assets in a private bucket behind CloudFront (origin access
 * control, SPA fallback to index.html, strict security headers), its own Cognito app client
 * (authorization code with PKCE, no secret), and the runtime `config.json` written at deploy
 * time, so one `cdk deploy --all` builds, uploads and configures it. The rules it shares with
 * the local console (scopes, paths, CSP, CORS) are in infra/config/console.ts.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  AssetHashType,
  CfnOutput,
  DockerImage,
  Duration,
  RemovalPolicy,
  Stack,
  Validations,
} from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { SCOPES } from '../../functions/core/api/route-table';
import {
  CONSOLE_SCOPES,
  type ConsoleConnections,
  type ConsoleRuntimeConfig,
  consoleRedirects,
  contentSecurityPolicy,
} from '../config/console';
import type { StageConfig } from '../config/stage-config';
import { nagResourceFinding } from '../nag';
import { BrowserCors } from './browser-cors';
import type { LabelsApi } from './labels-api';

export interface WebConsoleProps {
  config: StageConfig;
  labelsApi: LabelsApi;
  /** The images bucket: the console uploads to it and shows its images (presigned URLs). */
  imagesBucket: s3.IBucket;
  removalPolicy: RemovalPolicy;
}

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The console's production build, made by Vite on this machine when CDK stages the asset (no
 * Docker). The hash is the output's: the console imports modules from outside web/ too. Synths
 * that skip bundling (`aws:cdk:bundling-stacks`, as the template tests do) never run it.
 */
function consoleBuild(scope: Construct): s3assets.Asset {
  return new s3assets.Asset(scope, 'Build', {
    path: join(REPO_ROOT, 'web'),
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Required by the type; never pulled, as the local build always succeeds or throws.
      image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:24'),
      local: {
        tryBundle(outputDir: string) {
          const vite = join(REPO_ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
          const args = ['build', '--config', 'web/vite.config.ts', '--outDir', outputDir, '--emptyOutDir'];
          execFileSync(process.execPath, [vite, ...args], { cwd: REPO_ROOT, stdio: 'inherit' });
          return true;
        },
      },
    },
  });
}

export class WebConsole extends Construct {
  readonly bucket: s3.Bucket;
  readonly logsBucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  readonly headers: cloudfront.ResponseHeadersPolicy;
  readonly client: cognito.UserPoolClient;
  /** `https://<distribution domain>`. */
  readonly url: string;
  readonly runtimeConfig: ConsoleRuntimeConfig;

  constructor(scope: Construct, id: string, props: WebConsoleProps) {
    super(scope, id);
    const { config, labelsApi, imagesBucket, removalPolicy } = props;
    const destroy = removalPolicy === RemovalPolicy.DESTROY;
    const apiUrl = labelsApi.api.apiEndpoint;
    const authDomain = labelsApi.domain.baseUrl();
    const imagesOrigin = `https://${imagesBucket.bucketRegionalDomainName}`;

    this.logsBucket = new s3.Bucket(this, 'Logs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // CloudFront standard logging writes with ACLs: the bucket has to accept them.
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [
        { expiration: Duration.days(365), abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      removalPolicy,
      autoDeleteObjects: destroy,
    });
    Validations.of(this.logsBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        "This bucket receives the console's CloudFront and bucket access logs; logging it to itself would loop.",
    });

    this.bucket = new s3.Bucket(this, 'Assets', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.logsBucket,
      serverAccessLogsPrefix: 'bucket/',
      removalPolicy,
      autoDeleteObjects: destroy,
    });

    this.headers = this.securityHeaders(config, {
      api: apiUrl,
      // The sign-in pages and token endpoint; the issuer serves discovery and the JWKS.
      auth: [authDomain, `https://cognito-idp.${Stack.of(this).region}.amazonaws.com`],
      images: imagesOrigin,
    });
    this.distribution = this.createDistribution(config);
    this.url = `https://${this.distribution.distributionDomainName}`;
    const consoleOrigins = [this.url, ...config.console.extraOrigins];

    this.client = this.createClient(config, labelsApi, consoleOrigins);
    labelsApi.acceptClient(this.client);

    new BrowserCors(this, 'Cors', {
      api: labelsApi.api,
      apiOrigins: [...consoleOrigins, ...config.api.corsOrigins],
      bucket: imagesBucket,
      bucketOrigins: consoleOrigins,
    });

    this.runtimeConfig = {
      apiUrl,
      authority: labelsApi.issuer,
      clientId: this.client.userPoolClientId,
      authDomain,
      stage: config.stage,
    };
    this.deployAssets();

    const stack = Stack.of(this);
    new CfnOutput(stack, 'ConsoleUrl', { value: this.url });
    new CfnOutput(stack, 'ConsoleClientId', { value: this.client.userPoolClientId });
  }

  /** CSP (connections from infra/config/console.ts), HSTS for 2 years, never framed, no sniffing. */
  private securityHeaders(config: StageConfig, connections: ConsoleConnections) {
    return new cloudfront.ResponseHeadersPolicy(this, 'Headers', {
      comment: `Image labeling (${config.stage}): the web console's security headers.`,
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: contentSecurityPolicy(connections),
          override: true,
        },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(730),
          includeSubdomains: true,
          override: true,
        },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        contentTypeOptions: { override: true },
        referrerPolicy: {
          referrerPolicy: cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
          override: true,
        },
      },
    });
  }

  /** HTTPS only, through origin access control, with the app for every path that is no file. */
  private createDistribution(config: StageConfig): cloudfront.Distribution {
    const distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `Image labeling (${config.stage}): the web console.`,
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.headers,
        compress: true,
      },
      // The console routes in the browser (e.g. /auth/callback): a path that is no object is
      // the app. Without s3:ListBucket, S3 answers a missing key with 403.
      errorResponses: [403, 404].map((httpStatus) => ({
        httpStatus,
        responseHttpStatus: 200,
        responsePagePath: '/index.html',
        ttl: Duration.seconds(10),
      })),
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: this.logsBucket,
      logFilePrefix: 'cloudfront/',
    });
    Validations.of(distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'The console is served on the default *.cloudfront.net certificate, with which CloudFront allows TLSv1; a custom domain with its ACM certificate would raise the minimum to TLSv1.2_2021.',
      },
      {
        id: 'AwsSolutions-CFR1',
        reason: 'The console is for the operators of this deployment, wherever they are; sign-in guards it.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'The distribution serves only static files; the data behind it is guarded by Cognito, the API throttling and presigned URLs. Add a web ACL per organisation policy.',
      },
    );
    return distribution;
  }

  /** A public client (code in a browser can keep no secret): authorization code with PKCE. */
  private createClient(config: StageConfig, labelsApi: LabelsApi, origins: string[]) {
    const oauthScopes: Record<(typeof CONSOLE_SCOPES)[number], cognito.OAuthScope> = {
      openid: cognito.OAuthScope.OPENID,
      email: cognito.OAuthScope.EMAIL,
      [SCOPES.read]: labelsApi.scopes.read,
      [SCOPES.write]: labelsApi.scopes.write,
    };
    const client = labelsApi.userPool.addClient('ConsoleClient', {
      userPoolClientName: `image-labeling-${config.stage}-console`,
      generateSecret: false,
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: CONSOLE_SCOPES.map((scope) => oauthScopes[scope]),
        callbackUrls: origins.map((origin) => consoleRedirects(origin).callbackUrl),
        logoutUrls: origins.map((origin) => consoleRedirects(origin).logoutUrl),
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
    });
    // Only the hosted sign-in and refresh tokens: no password or SRP flows through the API.
    (client.node.defaultChild as cognito.CfnUserPoolClient).explicitAuthFlows = ['ALLOW_REFRESH_TOKEN_AUTH'];
    // Managed login shows its pages only for app clients with a style: Cognito's default one.
    new cognito.CfnManagedLoginBranding(this, 'LoginStyle', {
      userPoolId: labelsApi.userPool.userPoolId,
      clientId: client.userPoolClientId,
      useCognitoProvidedValues: true,
    });
    return client;
  }

  /**
   * Hashed assets first (cached for a year, kept across deploys so an open console can still
   * load its chunks), then index.html and config.json (always revalidated), then an
   * invalidation: a browser never gets an index.html whose assets are not there yet.
   */
  private deployAssets(): void {
    const build = consoleBuild(this);
    const source = deploy.Source.bucket(build.bucket, build.s3ObjectKey);
    const assets = new deploy.BucketDeployment(this, 'DeployAssets', {
      sources: [source],
      destinationBucket: this.bucket,
      exclude: ['*'],
      include: ['assets/*'],
      prune: false,
      cacheControl: [deploy.CacheControl.fromString('public, max-age=31536000, immutable')],
    });
    const pages = new deploy.BucketDeployment(this, 'DeployPages', {
      sources: [source, deploy.Source.jsonData('config.json', this.runtimeConfig)],
      destinationBucket: this.bucket,
      exclude: ['assets/*'],
      cacheControl: [deploy.CacheControl.noCache()],
      distribution: this.distribution,
      distributionPaths: ['/*'],
    });
    pages.node.addDependency(assets);
    this.acknowledgeDeploymentFindings(assets, build);
  }

  /** Both deployments share one CDK-provided function (Python, with the AWS CLI). */
  private acknowledgeDeploymentFindings(deployment: deploy.BucketDeployment, build: s3assets.Asset): void {
    const handler = deployment.handlerRole.node.scope as Construct;
    const reason = (what: string) =>
      `${what} (the CDK BucketDeployment handler that copies the console's build).`;
    Validations.of(handler).acknowledge(
      {
        id: 'AwsSolutions-L1',
        reason: reason('CDK pins the Python runtime that its bundled AWS CLI layer is built for'),
      },
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: reason('Writes its own logs only'),
      },
      ...['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*'].map((action) => ({
        id: `AwsSolutions-IAM5[Action::${action}]`,
        reason: reason(
          `CDK's read grant on the asset and read-write grant on the console bucket (${action})`,
        ),
      })),
      {
        id: nagResourceFinding(this, 'AwsSolutions-IAM5', build.bucket.arnForObjects('*')),
        reason: reason('Reads the staged build from the CDK assets bucket'),
      },
      {
        id: nagResourceFinding(this, 'AwsSolutions-IAM5', this.bucket.arnForObjects('*')),
        reason: reason('Writes and prunes any object of the console bucket'),
      },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: reason('cloudfront:CreateInvalidation and GetInvalidation, which CDK grants on *'),
      },
    );
  }
}
