// Helpers shared by the route modules: body checks with precompiled validators, and noticing a
// client that hung up.
import type { ValidateFunction } from 'ajv';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { formatSchemaErrors } from '../schema/validate.js';
import { ApiError } from './errors.js';

// A preValidation hook that checks the JSON body (absent counts as {}) with a precompiled validator.
export const checkBody = (validate: ValidateFunction, what: string) => async (request: FastifyRequest) => {
  const body = request.body ?? {};
  if (!validate(body)) {
    throw new ApiError(400, `${what} is invalid: ${formatSchemaErrors(validate.errors).join('; ')}`);
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
