/**
 * The floor: a bare express server that parses the same JSON body and serializes the observed children back
 * as the desired list — the least any hook must do over HTTP in Node. Forked by the bench; reports its port over IPC.
 */

import express from 'express';

const bodyLimitBytes = Number(process.argv[2] ?? 64 * 1024 * 1024);
const app = express();
app.disable('x-powered-by');
app.set('etag', false);
app.post('/sync', express.json({ limit: bodyLimitBytes }), (req, res) => {
  const body = req.body as { parent?: { status?: unknown }; children?: Record<string, Record<string, unknown>> };
  const children = Object.values(body.children ?? {}).flatMap((byName) => Object.values(byName));
  res.json({ status: body.parent?.status ?? {}, children });
});
const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.send?.({ port: typeof address === 'object' && address !== null ? address.port : 0 });
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
