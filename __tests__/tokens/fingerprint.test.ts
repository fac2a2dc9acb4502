/**
 * Fingerprints: events name a token by a short one-way fingerprint, so logs can tell which token
 * a refresh issued and which token a replay carried without holding either token.
 */
import { attachBearerAuth, createAuthSession } from '../../src/index.js';
import {
  ACCESS_1,
  ACCESS_2,
  ACCESS_3,
  acceptOnly,
  mockedInstance,
  recordEvents,
} from './support.js';

/** A token whose fingerprint (FNV-1a) starts with a zero digit. */
const ACCESS_LEADING_ZERO = 'AT4wZeroLead82';

/** A session that refreshes to `issued` in turn, attached to an instance accepting only those. */
function setup(...issued: string[]) {
  const { callbacks, ofType } = recordEvents();
  let calls = 0;
  const session = createAuthSession({
    refresh: async () => ({ accessToken: issued[calls++]! }),
    tokens: { accessToken: ACCESS_1 },
    ...callbacks,
  });
  const { instance, mock } = mockedInstance();
  attachBearerAuth(instance, session);
  const accepted: string[] = [];
  acceptOnly(mock, () => accepted);
  const fingerprints = (type: string) =>
    ofType(type).map(({ event }) => (event as { fingerprint: string }).fingerprint);
  return { session, instance, accepted, fingerprints };
}

describe('token fingerprints in events', () => {
  it('name the refreshed token and the replayed token alike', async () => {
    const { instance, accepted, fingerprints } = setup(ACCESS_2);
    accepted.push(ACCESS_2);

    await instance.get('/me');

    expect(fingerprints('tokenRefreshed')).toHaveLength(1);
    expect(fingerprints('replay')).toEqual(fingerprints('tokenRefreshed'));
  });

  it('tell different tokens apart', async () => {
    const { session, fingerprints } = setup(ACCESS_2, ACCESS_3, ACCESS_2);

    await session.refresh();
    await session.refresh();
    await session.refresh();

    const [second, third, again] = fingerprints('tokenRefreshed');
    expect(second).not.toBe(third);
    expect(again).toBe(second);
  });

  it('are always eight hex digits, leading zeros kept', async () => {
    const { session, fingerprints } = setup(ACCESS_LEADING_ZERO, ACCESS_2);

    await session.refresh();
    await session.refresh();

    const [zero, other] = fingerprints('tokenRefreshed');
    expect(zero).toMatch(/^0[\da-f]{7}$/);
    expect(other).toMatch(/^[\da-f]{8}$/);
  });
});
