import { validateEnvironment } from '../../src/config/environment';

describe('validateEnvironment', () => {
  it('fills defaults for an empty environment', () => {
    const env = validateEnvironment({});

    expect(env.NODE_ENV).toBe('development');
    expect(env.PORT).toBe(3000);
    expect(env.DATA_DIR).toBe('./data');
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.MESSAGE_RATE_LIMIT).toBe(100);
  });

  it('names the variable of a bad value', () => {
    expect(() => validateEnvironment({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => validateEnvironment({ DATABASE_URL: 'mysql://localhost/db' })).toThrow(/DATABASE_URL/);
    expect(() => validateEnvironment({ NODE_ENV: 'staging' })).toThrow(/NODE_ENV/);
  });

  it('requires JWT_SECRET in production', () => {
    expect(() => validateEnvironment({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET: required/);
  });

  it('rejects a placeholder JWT_SECRET in production', () => {
    expect(() => validateEnvironment({ NODE_ENV: 'production', JWT_SECRET: 'change-me-change-me-change-me-change-me' })).toThrow(
      /placeholder/,
    );
  });

  it('rejects a short JWT_SECRET', () => {
    expect(() => validateEnvironment({ JWT_SECRET: 'short' })).toThrow(/JWT_SECRET/);
  });

  it('keeps a rejected secret out of the message', () => {
    const validate = () => validateEnvironment({ JWT_SECRET: 'almost-long-enough-secret' });

    expect(validate).toThrow(/JWT_SECRET: .*value not shown/);
    expect(validate).not.toThrow(/almost-long-enough-secret/);
  });

  it('accepts a strong JWT_SECRET in production', () => {
    const env = validateEnvironment({ NODE_ENV: 'production', JWT_SECRET: 'k2P9vX4qL7mN1sR8tW3yZ6bC0dF5gH2jA9eU' });

    expect(env.JWT_SECRET).toBe('k2P9vX4qL7mN1sR8tW3yZ6bC0dF5gH2jA9eU');
  });

  it('rejects a heartbeat not shorter than the presence TTL', () => {
    expect(() => validateEnvironment({ PRESENCE_TTL_MS: '5000', PRESENCE_HEARTBEAT_MS: '5000' })).toThrow(/PRESENCE_HEARTBEAT_MS/);
    expect(validateEnvironment({ PRESENCE_TTL_MS: '5000', PRESENCE_HEARTBEAT_MS: '4999' }).PRESENCE_HEARTBEAT_MS).toBe(4999);
  });
});
