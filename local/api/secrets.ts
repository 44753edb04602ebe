/**
 * A minimal Secrets Manager for the local cloud: GetSecretValue (and DescribeSecret) of the
 * secrets it is given, over the JSON 1.1 protocol the SDK speaks. The labels API reads its
 * cursor key through it exactly as it reads it from Secrets Manager in AWS.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type http from 'node:http';
import { dirname } from 'node:path';

export interface LocalSecret {
  name: string;
  arn: string;
  value: string;
}

/** A random secret kept in `file` across restarts (like one generated at deploy). */
export function persistentSecret(file: string, name: string, region: string, accountId: string): LocalSecret {
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, randomBytes(48).toString('base64url'), { mode: 0o600 });
  }
  return {
    name,
    arn: `arn:aws:secretsmanager:${region}:${accountId}:secret:${name}`,
    value: readFileSync(file, 'utf8').trim(),
  };
}

export function createSecretsManagerService(secrets: LocalSecret[]): http.RequestListener {
  const send = (response: http.ServerResponse, status: number, body: unknown) => {
    response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
    response.end(JSON.stringify(body));
  };
  return (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const target = String(request.headers['x-amz-target'] ?? '');
      let input: { SecretId?: string } = {};
      try {
        input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { SecretId?: string };
      } catch {
        send(response, 400, { __type: 'InvalidRequestException', message: 'The body is not JSON.' });
        return;
      }
      const secret = secrets.find((item) => item.name === input.SecretId || item.arn === input.SecretId);
      if (!secret) {
        send(response, 400, {
          __type: 'ResourceNotFoundException',
          message: "Secrets Manager can't find the specified secret.",
        });
        return;
      }
      if (target === 'secretsmanager.GetSecretValue') {
        send(response, 200, {
          ARN: secret.arn,
          Name: secret.name,
          SecretString: secret.value,
          VersionId: 'local',
          VersionStages: ['AWSCURRENT'],
          CreatedDate: 0,
        });
      } else if (target === 'secretsmanager.DescribeSecret') {
        send(response, 200, { ARN: secret.arn, Name: secret.name });
      } else {
        send(response, 400, {
          __type: 'UnsupportedOperation',
          message: `${target} is not emulated locally.`,
        });
      }
    });
  };
}
