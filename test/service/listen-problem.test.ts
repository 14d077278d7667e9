/**
 * What the service says when it cannot listen (listenProblem): which setting is in the way, PORT or HOST, and what to
 * set instead, for each error a listen can end in. The two a real socket can make here (a port held, an address not
 * this machine's) are also run end to end in shutdown.test.ts; the rest (a privileged port, a host name that does not
 * resolve, anything else) are told from their codes.
 */

import assert from 'node:assert/strict';

import { loadConfig } from '../../src/config.js';
import { listenProblem, startService } from '../../src/main.js';
import { withHeldPort } from '../support/process.js';

/** An error as a listen reports it: its code and Node's message. */
function listenError(code: string | undefined, message: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(message);
  if (code !== undefined) error.code = code;
  return error;
}

describe('listenProblem', () => {
  const cases: Array<{ name: string; code: string | undefined; host: string | null; says: string }> = [
    {
      name: 'a port held, HOST unset',
      code: 'EADDRINUSE',
      host: null,
      says: 'PORT 8080 is in use on every interface (HOST unset) (listen EADDRINUSE: address already in use :::8080); stop what holds it or set PORT to a free port',
    },
    {
      name: 'a privileged port, HOST unset',
      code: 'EACCES',
      host: null,
      says: 'PORT 8080 on every interface (HOST unset) needs a privilege this user lacks (listen EACCES: permission denied :::8080); set PORT to 1024 or above',
    },
    {
      name: 'a privileged port, HOST set',
      code: 'EACCES',
      host: '10.0.0.7',
      says: 'PORT 8080 on HOST 10.0.0.7 needs a privilege this user lacks (listen EACCES: permission denied :::8080); set PORT to 1024 or above',
    },
    {
      name: 'an address not of this machine',
      code: 'EADDRNOTAVAIL',
      host: '192.0.2.1',
      says: 'HOST "192.0.2.1" is not an address of this machine (listen EADDRNOTAVAIL: address not available :::8080); set HOST to one of its addresses, or leave it unset to listen on every interface',
    },
    {
      name: 'a host name that does not resolve',
      code: 'ENOTFOUND',
      host: 'hook.invalid',
      says: 'HOST "hook.invalid" does not resolve to an address (getaddrinfo ENOTFOUND: :::8080); set HOST to an IP address of this machine, or leave it unset to listen on every interface',
    },
    {
      name: 'a host name whose lookup failed for now',
      code: 'EAI_AGAIN',
      host: 'hook.example',
      says: 'HOST "hook.example" does not resolve to an address (getaddrinfo EAI_AGAIN: :::8080); set HOST to an IP address of this machine, or leave it unset to listen on every interface',
    },
    {
      name: 'any other error, HOST unset',
      code: 'EMFILE',
      host: null,
      says: 'cannot listen on PORT 8080 of every interface (HOST unset): listen EMFILE: too many open files :::8080',
    },
    {
      name: 'an error without a code, HOST set',
      code: undefined,
      host: '10.0.0.7',
      says: 'cannot listen on PORT 8080 of HOST 10.0.0.7: something else',
    },
  ];
  const messages: Record<string, string> = {
    EADDRINUSE: 'listen EADDRINUSE: address already in use :::8080',
    EACCES: 'listen EACCES: permission denied :::8080',
    EADDRNOTAVAIL: 'listen EADDRNOTAVAIL: address not available :::8080',
    ENOTFOUND: 'getaddrinfo ENOTFOUND: :::8080',
    EAI_AGAIN: 'getaddrinfo EAI_AGAIN: :::8080',
    EMFILE: 'listen EMFILE: too many open files :::8080',
  };
  for (const c of cases) {
    it(c.name, () => {
      const error = listenError(c.code, c.code === undefined ? 'something else' : (messages[c.code] ?? ''));
      assert.equal(listenProblem(error, { port: 8080, host: c.host }), c.says);
    });
  }

  it('startService rejects with that sentence, the listen error as its cause', async () => {
    await withHeldPort(async (port) => {
      const config = loadConfig({ PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'silent' });
      const failed = await startService(config).then(
        () => assert.fail('started on a port another server holds'),
        (error: unknown) => error as Error & { cause?: NodeJS.ErrnoException },
      );
      assert.match(failed.message, new RegExp(`^PORT ${port} is in use on HOST 127\\.0\\.0\\.1 \\(listen EADDRINUSE`));
      assert.equal(failed.cause?.code, 'EADDRINUSE');
    });
  });
});
