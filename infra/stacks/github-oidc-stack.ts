/**
 * One-time, bootstrap-like stack: the IAM roles GitHub Actions assumes with OIDC (no long-lived
 * keys). Synthesized only when the repository is named:
 *
 *   npx cdk deploy ImageLabeling-GitHubOidc -c githubRepository=OWNER/REPO \
 *     [-c githubOwnerId=123 -c githubRepositoryId=456] [-c githubOidcProviderArn=arn:...]
 *
 * - deploy role: trusted for the main branch and the `dev`/`prod` GitHub environments; it may
 *   only assume the CDK bootstrap roles (deploy, file and image publishing, lookup), which
 *   the CDK CLI picks per phase.
 * - diff role: trusted for pull requests of the repository (not forks: those get no OIDC
 *   token); it may only assume the lookup role, which `cdk diff --method template` uses.
 *
 * The `sub` claim: repositories created on or after 15 July 2026 (or opted in) send the
 * immutable form `repo:OWNER@OWNER_ID/REPO@REPO_ID:...`; older ones `repo:OWNER/REPO:...`.
 * Give githubOwnerId and githubRepositoryId (from the GitHub API) to trust both forms.
 */
import { type App, ArnFormat, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import * as z from 'zod';

export const GITHUB_OIDC_STACK = 'ImageLabeling-GitHubOidc';
export const GITHUB_OIDC_ISSUER = 'token.actions.githubusercontent.com';

const name = /^[A-Za-z0-9_.-]{1,100}$/;
export const GitHubOidcConfigSchema = z
  .object({
    repository: z
      .string()
      .regex(/^[A-Za-z0-9-]{1,39}\/[A-Za-z0-9_.-]{1,100}$/, 'OWNER/REPO, as in the GitHub URL'),
    ownerId: z.coerce.number().int().positive().optional(),
    repositoryId: z.coerce.number().int().positive().optional(),
    branch: z.string().regex(name).default('main'),
    environments: z.array(z.string().regex(name)).min(1).default(['dev', 'prod']),
    /** An existing provider (there is one per account and issuer); created when absent. */
    providerArn: z
      .string()
      .regex(/^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/token\.actions\.githubusercontent\.com$/)
      .optional(),
    /** The CDK bootstrap qualifier (`cdk bootstrap --qualifier`). */
    qualifier: z
      .string()
      .regex(/^[a-z0-9]{1,10}$/)
      .default('hnb659fds'),
  })
  .strict()
  .refine((config) => (config.ownerId === undefined) === (config.repositoryId === undefined), {
    message: 'give both githubOwnerId and githubRepositoryId, or neither',
  });
export type GitHubOidcConfig = z.infer<typeof GitHubOidcConfigSchema>;

/** The `sub` claims GitHub sends for `suffix` (e.g. `environment:prod`), in every form the repository may use. */
export function subjectClaims(config: GitHubOidcConfig, suffix: string): string[] {
  const [owner, repo] = config.repository.split('/');
  const legacy = `repo:${config.repository}:${suffix}`;
  if (config.ownerId === undefined || config.repositoryId === undefined) return [legacy];
  return [legacy, `repo:${owner}@${config.ownerId}/${repo}@${config.repositoryId}:${suffix}`];
}

export interface GitHubOidcStackProps extends StackProps {
  github: GitHubOidcConfig;
}

export class GitHubOidcStack extends Stack {
  readonly deployRole: iam.Role;
  readonly diffRole: iam.Role;

  constructor(scope: Construct, id: string, props: GitHubOidcStackProps) {
    super(scope, id, props);
    const { github } = props;
    const providerArn =
      github.providerArn ??
      new iam.OidcProviderNative(this, 'Provider', {
        url: `https://${GITHUB_OIDC_ISSUER}`,
        clientIds: ['sts.amazonaws.com'],
      }).oidcProviderArn;
    const trust = (subjects: string[]) =>
      new iam.WebIdentityPrincipal(providerArn, {
        StringEquals: {
          [`${GITHUB_OIDC_ISSUER}:aud`]: 'sts.amazonaws.com',
          [`${GITHUB_OIDC_ISSUER}:sub`]: subjects,
        },
      });
    const bootstrapRole = (kind: string) =>
      this.formatArn({
        service: 'iam',
        region: '',
        resource: 'role',
        resourceName: `cdk-${github.qualifier}-${kind}-role-${this.account}-${this.region}`,
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      });

    this.deployRole = new iam.Role(this, 'DeployRole', {
      description: `GitHub Actions (${github.repository}): cdk deploy from ${github.branch} and its environments`,
      assumedBy: trust([
        ...subjectClaims(github, `ref:refs/heads/${github.branch}`),
        ...github.environments.flatMap((environment) => subjectClaims(github, `environment:${environment}`)),
      ]),
      // Canary deployments keep `cdk deploy` running for a long time.
      maxSessionDuration: Duration.hours(2),
    });
    this.deployRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['sts:AssumeRole'],
        resources: ['deploy', 'file-publishing', 'image-publishing', 'lookup'].map(bootstrapRole),
      }),
    );

    this.diffRole = new iam.Role(this, 'DiffRole', {
      description: `GitHub Actions (${github.repository}): cdk diff on pull requests`,
      assumedBy: trust(subjectClaims(github, 'pull_request')),
      maxSessionDuration: Duration.hours(1),
    });
    this.diffRole.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: [bootstrapRole('lookup')] }),
    );
  }
}

/** The stack when the context names a repository (`-c githubRepository=OWNER/REPO`), else undefined. */
export function githubOidcStack(app: App): GitHubOidcStack | undefined {
  const context = (key: string) => app.node.tryGetContext(key) as unknown;
  const repository = context('githubRepository');
  if (repository === undefined) return undefined;
  const parsed = GitHubOidcConfigSchema.safeParse({
    repository,
    ownerId: context('githubOwnerId'),
    repositoryId: context('githubRepositoryId'),
    providerArn: context('githubOidcProviderArn'),
    ...(context('cdkQualifier') === undefined ? {} : { qualifier: context('cdkQualifier') }),
  });
  if (!parsed.success) {
    throw new Error(`Invalid GitHub OIDC context:\n${z.prettifyError(parsed.error)}`);
  }
  return new GitHubOidcStack(app, GITHUB_OIDC_STACK, {
    github: parsed.data,
    description:
      'Image labeling: IAM roles for GitHub Actions (OIDC), allowed only to assume the CDK bootstrap roles.',
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
}
