/**
 * Builds the client side of an integration test: an axios instance aimed at the test server
 * (keep-alive agent, no proxy) with the library attached, and a way to tear it all down.
 */
import axios, { type AxiosInstance, type CreateAxiosDefaults } from 'axios';
import { Agent } from 'node:http';
import {
  attachBearerAuth,
  type AttachOptions,
  type AuthSessionOptions,
  type BearerAuthHandle,
} from '../../src/index.js';
import { refreshFrom, type TestServer } from '../helpers/test-server.js';

export interface Client {
  instance: AxiosInstance;
  handle: BearerAuthHandle;
  agent: Agent;
}

const agents = new Set<Agent>();

/**
 * A fresh instance with `baseURL` = the server's origin and a session that starts with a freshly
 * logged-in token pair and refreshes through `refreshFrom(server)`; override any of it.
 */
export function clientFor(
  server: TestServer,
  sessionOptions: Partial<AuthSessionOptions> = {},
  instanceConfig: CreateAxiosDefaults = {},
  attachOptions: AttachOptions = {},
): Client {
  const agent = new Agent({ keepAlive: true, maxSockets: 50 });
  agents.add(agent);
  const instance = axios.create({
    baseURL: server.origin,
    httpAgent: agent,
    proxy: false,
    ...instanceConfig,
  });
  const handle = attachBearerAuth(
    instance,
    { tokens: server.login(), refresh: refreshFrom(server), ...sessionOptions },
    attachOptions,
  );
  return { instance, handle, agent };
}

/** Destroys every agent `clientFor` made; call in afterEach/afterAll beside `server.close()`. */
export function destroyAgents(): void {
  for (const agent of agents) agent.destroy();
  agents.clear();
}
