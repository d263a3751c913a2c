import { corsOriginProblems, OriginPolicy } from '../../src/common/http/origin-policy';
import { validateEnvironment } from '../../src/config/environment';

const HOST = 'chat.example.com';

describe('OriginPolicy', () => {
  it('allows requests without an Origin', () => {
    const policy = new OriginPolicy('', 'production');

    expect(policy.isAllowed(undefined, HOST)).toBe(true);
    expect(policy.isAllowed('', HOST)).toBe(true);
  });

  it('allows same-origin pages by the Host header', () => {
    const policy = new OriginPolicy('', 'production');

    expect(policy.isAllowed('https://chat.example.com', HOST)).toBe(true);
    expect(policy.isAllowed('https://CHAT.example.com', HOST)).toBe(true);
    expect(policy.isAllowed('https://chat.example.com:8443', HOST)).toBe(false);
  });

  it('allows loopback pages only outside production with an empty list', () => {
    expect(new OriginPolicy('', 'development').isAllowed('http://localhost:5173', HOST)).toBe(true);
    expect(new OriginPolicy('', 'test').isAllowed('http://[::1]:8080', HOST)).toBe(true);
    expect(new OriginPolicy('', 'production').isAllowed('http://localhost:5173', HOST)).toBe(false);
    expect(new OriginPolicy('https://app.example.com', 'development').isAllowed('http://localhost:5173', HOST)).toBe(false);
  });

  it('matches listed origins exactly', () => {
    const policy = new OriginPolicy(' https://app.example.com ,https://admin.example.com:8443', 'production');

    expect(policy.isAllowed('https://app.example.com', HOST)).toBe(true);
    expect(policy.isAllowed('https://admin.example.com:8443', HOST)).toBe(true);
    expect(policy.isAllowed('http://app.example.com', HOST)).toBe(false);
    expect(policy.isAllowed('https://app.example.com.evil.example', HOST)).toBe(false);
    expect(policy.isAllowed('https://admin.example.com', HOST)).toBe(false);
    expect(policy.isAllowed('null', HOST)).toBe(false);
    expect(policy.isAllowed('not a url', HOST)).toBe(false);
  });

  it('allows every origin with *', () => {
    const policy = new OriginPolicy('*', 'production');

    expect(policy.isAllowed('https://anything.example', HOST)).toBe(true);
    expect(policy.isAllowed('null', HOST)).toBe(true);
  });
});

describe('CORS_ORIGINS validation', () => {
  it('accepts origins and *', () => {
    expect(corsOriginProblems('https://a.example, http://localhost:3000,*')).toEqual([]);
  });

  it('names entries that are not origins', () => {
    const problems = corsOriginProblems('https://a.example/path,ftp://b.example,chat.example.com,https://c.example/');

    expect(problems).toHaveLength(4);
    expect(problems[0]).toContain('"https://a.example/path"');
  });

  it('stops the boot on a bad entry', () => {
    expect(() => validateEnvironment({ CORS_ORIGINS: 'example.com' })).toThrow(/CORS_ORIGINS: "example.com"/);
  });
});
