/**
 * One port for every AWS service, as LocalStack does: each request goes to the service named
 * in its SigV4 credential scope (`Credential=AKID/date/region/<service>/aws4_request`, in the
 * Authorization header or, for presigned URLs, the X-Amz-Credential query parameter), or else
 * by its X-Amz-Target prefix. Unsigned requests go to S3 (e.g. a browser upload).
 */
import type http from 'node:http';

export type ServiceName =
  | 's3'
  | 'dynamodb'
  | 'sqs'
  | 'states'
  | 'rekognition'
  | 'appconfig'
  | 'lambda'
  | 'secretsmanager'
  | 'codedeploy'
  | 'events';

const TARGET_PREFIXES: [string, ServiceName][] = [
  ['DynamoDB_', 'dynamodb'],
  ['AmazonSQS.', 'sqs'],
  ['AWSStepFunctions.', 'states'],
  ['RekognitionService.', 'rekognition'],
  ['secretsmanager.', 'secretsmanager'],
  ['CodeDeploy_', 'codedeploy'],
  ['AWSEvents.', 'events'],
];

export function serviceOf(request: Pick<http.IncomingMessage, 'headers' | 'url'>): string {
  const authorization = request.headers.authorization ?? '';
  const scope = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(authorization);
  if (scope?.[1]) return scope[1];
  const query = new URL(request.url ?? '/', 'http://localhost').searchParams.get('X-Amz-Credential');
  const presigned = query?.split('/')[3];
  if (presigned) return presigned;
  const target = String(request.headers['x-amz-target'] ?? '');
  const byTarget = TARGET_PREFIXES.find(([prefix]) => target.startsWith(prefix));
  return byTarget?.[1] ?? 's3';
}

export function createEdgeRouter(
  services: Partial<Record<ServiceName, http.RequestListener>>,
): http.RequestListener {
  return (request, response) => {
    const name = serviceOf(request);
    const handler = services[name as ServiceName];
    if (!handler) {
      response.writeHead(501, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({ __type: 'NotImplemented', message: `The local cloud does not emulate "${name}".` }),
      );
      return;
    }
    handler(request, response);
  };
}
