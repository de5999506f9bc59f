// POST /build (multipart, as OpenHands' RemoteRuntimeBuilder sends it: a `context` file, then
// `target_image`, any number of `tags`, and `use_cache`) and GET /build_status. The multipart parser
// is registered in this plugin's own context, so no other route accepts multipart bodies.
import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import type { Builds } from '../builds.js';
import { ApiError } from '../errors.js';
import { queryString } from '../http.js';

const IMAGE = /^[A-Za-z0-9][A-Za-z0-9._\/:@-]*$/;

// Adds the routes to APP.
export function buildRoutes(
  app: FastifyInstance,
  builds: Builds,
  o: { maxUploadBytes: number; publicUrl: () => string },
): void {
  void app.register(async (scope) => {
    await scope.register(multipart, {
      limits: { fileSize: o.maxUploadBytes, files: 1, fields: 64, fieldSize: 4096, parts: 66 },
    });
    scope.post('/build', { bodyLimit: o.maxUploadBytes }, async (request) => {
      if (!request.isMultipart())
        throw new ApiError(415, 'send the build as multipart/form-data (context, target_image, tags)');
      let context: Buffer | undefined;
      const tags: string[] = [];
      let target: string | undefined;
      for await (const part of request.parts()) {
        if (part.type === 'file') {
          if (part.fieldname !== 'context')
            throw new ApiError(400, `unexpected file field ${part.fieldname}; send the context as 'context'`);
          context = await part.toBuffer();
        } else if (part.fieldname === 'target_image') target = String(part.value);
        else if (part.fieldname === 'tags')
          tags.push(
            ...String(part.value)
              .split(',')
              .map((t) => t.trim())
              .filter(Boolean),
          );
      }
      if (!context) throw new ApiError(400, "the build needs a 'context' file (tar.gz, or its base64)");
      if (!target) throw new ApiError(400, "the build needs a 'target_image'");
      const all = [target, ...tags.filter((t) => t !== target)];
      const bad = all.find((t) => !IMAGE.test(t) || t.length > 512);
      if (bad) throw new ApiError(400, `${bad} is not an image name`);
      const record = builds.start(context, all);
      return { build_id: record.build_id, url: o.publicUrl() };
    });
  });

  app.get('/build_status', async (request) => builds.get(queryString(request, 'build_id', 'ID')));
}
