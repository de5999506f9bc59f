// Helpers shared by the route modules: body checks with precompiled validators (bounded, whatever
// the body), and noticing a client that hung up.
import type { ValidateFunction } from 'ajv';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { formatSchemaErrors } from '../schema/validate.js';
import { ApiError } from './errors.js';

// Validation errors named in an answer; a body with thousands of bad fields costs no more.
const MAX_ERRORS = 5;

// A preValidation hook that checks the JSON body (absent counts as {}) with a precompiled validator.
export const checkBody = (validate: ValidateFunction, what: string) => async (request: FastifyRequest) => {
  const body = request.body ?? {};
  if (typeof body !== 'object' || Array.isArray(body) || Buffer.isBuffer(body)) {
    throw new ApiError(400, `${what} must be a JSON object (Content-Type: application/json)`);
  }
  if (!validate(body)) {
    const errors = formatSchemaErrors(validate.errors);
    const more = errors.length > MAX_ERRORS ? `; and ${errors.length - MAX_ERRORS} more` : '';
    throw new ApiError(400, `${what} is invalid: ${errors.slice(0, MAX_ERRORS).join('; ')}${more}`);
  }
  request.body = body;
};

// An AbortSignal that fires when the client goes away before its answer is sent (a queued start then
// leaves the queue instead of starting a container nobody will use; a running command is killed).
export const clientGone = (reply: FastifyReply): AbortSignal => {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableEnded) controller.abort(new ApiError(499, 'the client went away'));
  });
  return controller.signal;
};

// The query parameter NAME as one string, or a 400 saying what to send.
export function queryString(request: FastifyRequest, name: string, hint: string): string {
  const value = (request.query as Record<string, unknown>)[name];
  if (typeof value !== 'string' || value === '' || value.length > 4096 || value.includes('\0'))
    throw new ApiError(400, `give ?${name}=${hint}`);
  return value;
}
