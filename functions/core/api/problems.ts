/**
 * Errors of the labels API as RFC 9457 problem documents (`application/problem+json`) with a
 * stable `type` URI, a `title`, the `status` and, for input errors, the offending `parameter`.
 * No stack trace or internal name ever leaves. The responses that carry them are built in
 * functions/adapters/api/http.ts.
 */

export const PROBLEM_TYPE_BASE = 'urn:image-labeling:problem:';

/** Every problem the API itself answers with: slug -> status and title (stable contract). */
export const PROBLEMS = {
  'invalid-parameter': { status: 400, title: 'A parameter is invalid.' },
  'unknown-parameter': { status: 400, title: 'The request has a parameter this route does not accept.' },
  'invalid-key': { status: 400, title: 'The image key is not a valid object key.' },
  'invalid-cursor': { status: 400, title: 'The cursor is not valid for this query.' },
  'invalid-body': { status: 400, title: 'The request body is invalid.' },
  'unsupported-media-type': { status: 415, title: 'The request body must be application/json.' },
  'payload-too-large': { status: 413, title: 'The request body is too large.' },
  'image-not-found': { status: 404, title: 'No image with this key.' },
  'route-not-found': { status: 404, title: 'No such route.' },
  'internal-error': { status: 500, title: 'The request could not be completed.' },
} as const;

export type ProblemSlug = keyof typeof PROBLEMS;

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  parameter?: string;
}

/** An error the API answers with a problem document (anything else becomes internal-error). */
export class ApiProblem extends Error {
  override readonly name = 'ApiProblem';
  constructor(
    readonly slug: ProblemSlug,
    readonly detail?: string,
    readonly parameter?: string,
  ) {
    super(detail ?? PROBLEMS[slug].title);
  }

  toProblem(): Problem {
    const { status, title } = PROBLEMS[this.slug];
    return {
      type: `${PROBLEM_TYPE_BASE}${this.slug}`,
      title,
      status,
      ...(this.detail ? { detail: this.detail } : {}),
      ...(this.parameter ? { parameter: this.parameter } : {}),
    };
  }
}
