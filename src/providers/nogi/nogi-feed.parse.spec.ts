import { FeedResponseError, parseFeedJson, parseFeedPage, parseSequenceNr, parseSequenceNrBody, parseTimestampNs, splitScope } from './nogi-feed.parse';

const created = (over: Record<string, unknown> = {}) => ({
  sequenceNr: 7,
  eventId: 'a499c700-7e36-4bd5-9b6b-19024b4f94f9',
  consentId: 'c8ff2ad5-4140-481d-a7cd-6c7deee7203c',
  timestamp: '2024-05-20T12:51:52.184886875Z',
  eventType: 'SAMTYKKE_OPPRETTET',
  samtykkeOpprettetEvent: {
    clientId: 'f8c4da9f-4c93-4904-8de4-b5942776f9c2',
    consentId: 'c8ff2ad5-4140-481d-a7cd-6c7deee7203c',
    scope: 'debt.unsecured.presentation',
    externalConsentId: 'cddda7ed-33be-432e-90d2-0179fbf60cb7',
  },
  samtykkeArkivertEvent: null,
  ...over,
});

const archived = (over: Record<string, unknown> = {}) => ({
  sequenceNr: 8,
  eventId: '47e34ae1-022f-46d4-b3e5-e8ef2dd2761c',
  consentId: 'c8ff2ad5-4140-481d-a7cd-6c7deee7203c',
  timestamp: '2024-05-21T12:51:53.334608446Z',
  eventType: 'SAMTYKKE_ARKIVERT',
  samtykkeOpprettetEvent: null,
  // NoGi's own example: the nested id is the externalConsentId, not the consent id.
  samtykkeArkivertEvent: { clientId: 'f8c4da9f-4c93-4904-8de4-b5942776f9c2', consentId: 'cddda7ed-33be-432e-90d2-0179fbf60cb7' },
  ...over,
});

const page = (result: unknown[], over: Record<string, unknown> = {}) => ({ startSequenceNr: 7, endSequenceNr: 8, generatedAt: '2024-05-21T13:40:05.334608446Z', result, ...over });

describe('NoGi consent feed parsing', () => {
  it('keeps int64 sequence numbers beyond 2^53 exact, whether sent as JSON numbers or strings', () => {
    const body = parseFeedJson('{"lastSequenceNr": 9007199254740993123}');
    expect(parseSequenceNrBody(body, 'lastSequenceNr')).toBe(9007199254740993123n);
    expect(parseSequenceNr('9223372036854775807', 'x')).toBe(9223372036854775807n);
    expect(() => parseSequenceNr('9223372036854775808', 'x')).toThrow(FeedResponseError);
    expect(() => parseSequenceNr(1.5, 'x')).toThrow(FeedResponseError);
    expect(() => parseSequenceNr(0, 'x')).toThrow(FeedResponseError);
  });

  it('leaves digits inside string values alone when protecting sequence numbers', () => {
    const body = parseFeedJson('{"a":"\\"sequenceNr\\": 5","sequenceNr":12}') as Record<string, unknown>;
    expect(body).toEqual({ a: '"sequenceNr": 5', sequenceNr: '12' });
  });

  it('parses NoGi example events, keyed by the top-level consentId, with the base scope and the externalConsentId', () => {
    const p = parseFeedPage(page([created(), archived()]), 7n);
    expect(p.events.map((e) => [e.sequenceNr, e.eventType, e.consentId])).toEqual([
      [7n, 'SAMTYKKE_OPPRETTET', 'c8ff2ad5-4140-481d-a7cd-6c7deee7203c'],
      [8n, 'SAMTYKKE_ARKIVERT', 'c8ff2ad5-4140-481d-a7cd-6c7deee7203c'],
    ]);
    expect(p.events[0].created).toEqual({ scope: 'debt.unsecured.presentation', durationDays: null, externalConsentId: 'cddda7ed-33be-432e-90d2-0179fbf60cb7' });
    expect(p.events[1].created).toBeUndefined();
    expect(p.endSequenceNr).toBe(8n);
    expect(p.generatedAt.toISOString()).toBe('2024-05-21T13:40:05.334Z');
  });

  it('strips the .N duration suffix older events carry on the scope', () => {
    expect(splitScope('debt.unsecured.presentation.100')).toEqual({ scope: 'debt.unsecured.presentation', durationDays: 100 });
    expect(splitScope('debt.unsecured.processing')).toEqual({ scope: 'debt.unsecured.processing', durationDays: null });
    const p = parseFeedPage(page([created({ samtykkeOpprettetEvent: { clientId: 'x', consentId: 'y', scope: 'debt.unsecured.processing.28' } })]), 1n);
    expect(p.events[0].created).toEqual({ scope: 'debt.unsecured.processing', durationDays: 28, externalConsentId: null });
  });

  it('orders timestamps to the nanosecond and accepts the epoch floats of before 2024-05-22', () => {
    expect(parseTimestampNs('2024-05-21T12:51:57.383110992Z', 't')).toBe(1716295917383110992n);
    expect(parseTimestampNs('2024-05-21T12:51:57.383110993Z', 't')).toBeGreaterThan(parseTimestampNs('2024-05-21T12:51:57.383110992Z', 't'));
    expect(parseTimestampNs('2024-05-21T14:51:57.3+02:00', 't')).toBe(1716295917300000000n);
    expect(parseTimestampNs(1716295917.5, 't')).toBe(1716295917500000000n);
    expect(() => parseTimestampNs('yesterday', 't')).toThrow(FeedResponseError);
    const p = parseFeedPage(page([created()]), 1n);
    expect(p.events[0].timestamp.toISOString()).toBe('2024-05-20T12:51:52.184Z');
  });

  it('accepts the empty page (result [], endSequenceNr = fromSequenceNr − 1)', () => {
    const p = parseFeedPage(page([], { startSequenceNr: 42, endSequenceNr: 41 }), 42n);
    expect(p.events).toEqual([]);
    expect(p.endSequenceNr).toBe(41n);
  });

  it.each([
    ['a missing result', { startSequenceNr: 1, endSequenceNr: 1, generatedAt: '2024-05-21T13:40:05Z' }],
    ['a malformed generatedAt', page([], { generatedAt: 'now' })],
    ['an event type that is not a string', page([created({ eventType: null })])],
    ['an unknown event type without its envelope', page([created({ eventType: 'SAMTYKKE_ENDRET', consentId: undefined })])],
    ['a malformed eventId', page([created({ eventId: 'nope' })])],
    ['a created event without its payload', page([created({ samtykkeOpprettetEvent: null })])],
    ['an event before fromSequenceNr', page([created({ sequenceNr: 6 })])],
    ['a repeated eventId', page([created(), created({ sequenceNr: 9 })])],
    ['a fractional sequence number', page([created({ sequenceNr: 7.5 })])],
  ])('refuses a page with %s', (_name, body) => {
    expect(() => parseFeedPage(body, 7n)).toThrow(FeedResponseError);
  });

  it('sets an event of a type it does not know aside with its envelope, instead of refusing the page', () => {
    const p = parseFeedPage(page([created(), archived({ sequenceNr: 9, eventType: 'SAMTYKKE_ENDRET', samtykkeArkivertEvent: null, samtykkeEndretEvent: { x: 1 } }), archived({ eventId: 'e1d0b6a4-5b36-4a8e-8a51-54a0bd1ad1a3' })]), 7n);
    expect(p.events.map((e) => e.eventType)).toEqual(['SAMTYKKE_OPPRETTET', 'SAMTYKKE_ARKIVERT']);
    expect(p.unknown).toEqual([
      { sequenceNr: 9n, eventId: '47e34ae1-022f-46d4-b3e5-e8ef2dd2761c', consentId: 'c8ff2ad5-4140-481d-a7cd-6c7deee7203c', timestamp: new Date('2024-05-21T12:51:53.334Z'), eventType: 'SAMTYKKE_ENDRET', unknownType: true },
    ]);
    // Kept to a column and a metric label: never NoGi's raw text.
    const [odd] = parseFeedPage(page([created({ eventType: `samtykke-arkivert ${'x'.repeat(40)}` })]), 7n).unknown;
    expect(odd.eventType).toBe('samtykke_arkivert_xxxxxxxxxxxxxx');
  });

  it('takes an archived event whose nested payload is null or missing: only the top-level consentId is used', () => {
    for (const payload of [{ samtykkeArkivertEvent: null }, { samtykkeArkivertEvent: undefined }]) {
      const [event] = parseFeedPage(page([archived(payload)]), 7n).events;
      expect(event).toMatchObject({ eventType: 'SAMTYKKE_ARKIVERT', consentId: expect.any(String) });
    }
  });
});
