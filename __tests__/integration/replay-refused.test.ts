import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { clientFor, destroyAgents } from './client.js';

let server: TestServer;

beforeEach(async () => {
  server = await startTestServer();
});

afterEach(async () => {
  destroyAgents();
  await server.close();
});

describe('a replay that is refused again', () => {
  it("returns the replay's 401 to the caller after one refresh and one replay, with no loop", async () => {
    const onReplay = jest.fn();
    const { instance, handle } = clientFor(server, { onReplay });
    const first = handle.session.getTokens()!.accessToken;

    const error: unknown = await instance.get('/status/401').catch((e: unknown) => e);

    const fresh = handle.session.getTokens()!.accessToken;
    expect(error).toMatchObject({ isAxiosError: true, response: { status: 401 } });
    expect(
      (error as { config: { headers: { Authorization: string } } }).config.headers,
    ).toMatchObject({ Authorization: `Bearer ${fresh}` });
    expect(server.stats.refreshCalls).toBe(1);
    expect(onReplay).toHaveBeenCalledTimes(1);
    expect(server.requestsTo('/status/401').map((request) => request.token)).toEqual([
      first,
      fresh,
    ]);
  });

  it('keeps working for the next request after a replay was refused', async () => {
    const { instance } = clientFor(server);

    await expect(instance.get('/status/401')).rejects.toMatchObject({ response: { status: 401 } });
    const response = await instance.get('/items');

    expect(response.status).toBe(200);
    expect(server.stats.refreshCalls).toBe(1);
  });
});
