/** Redaction, rule by rule: what is hidden, what stays readable. */
import { describe, expect, it } from 'vitest';
import { redactDeep, redactText, redactUrl } from '../../src/model/redact.js';

describe('redactUrl', () => {
  it('hides the password and the user name, keeping that there was one', () => {
    expect(redactUrl('https://drill-bot:glpat-Zq8x3Vt1@git.example.com/team/backup.git')).toBe('https://***@git.example.com/team/backup.git');
    expect(redactUrl('https://drill-bot@git.example.com/x.git')).toBe('https://***@git.example.com/x.git');
    expect(redactUrl('https://:tok@git.example.com/x.git')).toBe('https://git.example.com/x.git');
  });

  it('hides tokens in the query, whatever their case, and leaves other parameters and plain URLs alone', () => {
    expect(redactUrl('https://s3.example.com/o?X-Amz-Signature=abc123&X-Amz-Credential=AKIA%2F2026&part=2')).toBe('https://s3.example.com/o?X-Amz-Signature=***&X-Amz-Credential=***&part=2');
    expect(redactUrl('https://h/x?ACCESS_TOKEN=t0k3n&sig=s1g')).toBe('https://h/x?ACCESS_TOKEN=***&sig=***');
    expect(redactUrl('https://h/x?page=2')).toBe('https://h/x?page=2');
    expect(redactUrl('file:///srv/backup.git')).toBe('file:///srv/backup.git');
  });

  it('falls back to the text rules for what is not a URL', () => {
    expect(redactUrl('git@host:team/backup.git token=abcdef')).toBe('git@host:team/backup.git token=abcdef');
    expect(redactUrl('not a url https://u:p@h/x')).toBe('not a url https://***@h/x');
  });
});

describe('redactText', () => {
  it('hides credentials in every URL of a text, any scheme', () => {
    expect(redactText('clone https://u:secret@h/a.git and ssh://git:pw@h2/b.git failed')).toBe('clone https://***@h/a.git and ssh://***@h2/b.git failed');
    expect(redactText('see https://h/a?private_token=xyz&x=1 now')).toBe('see https://h/a?private_token=***&x=1 now');
  });

  it('hides the value of authorization-like headers, keeping the header and its scheme', () => {
    expect(redactText('Authorization: Bearer sk-abc.def')).toBe('Authorization: Bearer ***');
    expect(redactText('authorization: basic dXNlcjpwYXNz')).toBe('authorization: basic ***');
    expect(redactText('{"Authorization":"token ghp_x"}')).toBe('{"Authorization":"token ***"}');
    expect(redactText('X-Api-Key=abc123, next')).toBe('X-Api-Key=***, next');
    expect(redactText('Private-Token: glpat-1')).toBe('Private-Token: ***');
    expect(redactText('Proxy-Authorization: Basic Zm9v')).toBe('Proxy-Authorization: Basic ***');
  });

  it('hides each known secret wherever it appears, but not values too short to be one', () => {
    expect(redactText('pip said: token glpat-Zq8x3 rejected; glpat-Zq8x3 again', ['glpat-Zq8x3'])).toBe('pip said: token *** rejected; *** again');
    expect(redactText('the word abc stays', ['abc'])).toBe('the word abc stays');
    expect(redactText('abcd goes', ['abcd'])).toBe('*** goes');
  });

  it('leaves a text without secrets as it is', () => {
    const text = 'fetch: 3 LFS objects (64.1 MiB) at 795d834a4208; key rotation is due';
    expect(redactText(text, ['s3cr3t-value'])).toBe(text);
  });
});

describe('redactDeep', () => {
  it('redacts every string of an event, in arrays and nested objects, and keeps the rest of its shape', () => {
    const event = { type: 'log', n: 3, ok: true, none: null, lines: ['u:p@h', 'https://u:p@h/x'], nested: { message: 'token sk-live-1234 refused', hint: undefined } };
    expect(redactDeep(event, ['sk-live-1234'])).toEqual({ type: 'log', n: 3, ok: true, none: null, lines: ['u:p@h', 'https://***@h/x'], nested: { message: 'token *** refused', hint: undefined } });
    expect(redactDeep('https://a:b@h', [])).toBe('https://***@h');
    expect(redactDeep(42, ['x'])).toBe(42);
  });
});
